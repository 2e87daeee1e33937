file(REMOVE_RECURSE
  "lib/libffcstoreproto.a"
)
