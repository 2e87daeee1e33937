# Empty dependencies file for ffcctl.
# This may be replaced when dependencies are built.
