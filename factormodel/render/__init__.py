"""What people read: figures, the wijkrapport, the voortgangsrapportage."""
