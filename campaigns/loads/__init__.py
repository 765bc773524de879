"""Nightly loads of warehouse files: inbox files, row rules, runs and locking, the portable and PostgreSQL paths, views."""
