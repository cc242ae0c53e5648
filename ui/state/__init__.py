"""State: the parameter table, URL <-> session state, pins and the share link."""
