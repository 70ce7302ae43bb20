"""Framework code shared by every domain app: no domain models live here."""
