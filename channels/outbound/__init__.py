"""Outbound call lists: calling hours, building lists, claiming leads, dialling, figures, views."""
