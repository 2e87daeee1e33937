# Empty compiler generated dependencies file for ffcd.
# This may be replaced when dependencies are built.
