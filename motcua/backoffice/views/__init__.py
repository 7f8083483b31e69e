"""Officer pages (and the public tracking page). Each module holds the views of one screen."""
