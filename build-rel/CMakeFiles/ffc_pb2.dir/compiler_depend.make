# Empty custom commands generated dependencies file for ffc_pb2.
# This may be replaced when dependencies are built.
