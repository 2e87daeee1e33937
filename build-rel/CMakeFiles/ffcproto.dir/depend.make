# Empty dependencies file for ffcproto.
# This may be replaced when dependencies are built.
