# Empty dependencies file for ffc.
# This may be replaced when dependencies are built.
