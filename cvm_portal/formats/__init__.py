"""Locale formats that adjust Django's defaults (settings.FORMAT_MODULE_PATH); see formatting.py."""
