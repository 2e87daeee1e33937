# Empty compiler generated dependencies file for ffc-send.
# This may be replaced when dependencies are built.
