# Empty dependencies file for ffcstoreproto.
# This may be replaced when dependencies are built.
