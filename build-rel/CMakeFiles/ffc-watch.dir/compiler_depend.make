# Empty compiler generated dependencies file for ffc-watch.
# This may be replaced when dependencies are built.
