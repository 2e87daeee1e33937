# Empty dependencies file for ffccore.
# This may be replaced when dependencies are built.
