"""The REST API for digital channels: API clients, their keys, decisions and outcomes."""
