# CPack: three Debian packages from one build configured with
# -DCMAKE_INSTALL_PREFIX=/usr (`make deb` does it, with Debian's build
# flags), one per install component:
#   ffc         ffcd, the tools, /etc/ffc/ffcd.conf (a conffile), the unit,
#               sysusers.d, the man pages; its maintainer scripts
#               (conf/debian/ffc) make the ffc user and /var/lib/ffc
#   libffc      libffc.so.0 (shlibs from the library's soname)
#   libffc-dev  the headers, libffc.so, libffc.pc and proto/ffc.proto
# `cpack -G DEB` in the build directory writes ffc_<version>_<arch>.deb
# and the two others.

set(FFC_PACKAGE_MAINTAINER "ffc maintainers <maintainers@ffc.example>"
    CACHE STRING "The packages' Maintainer field")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ffc)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT ${FFC_PACKAGE_MAINTAINER})
set(CPACK_PACKAGE_VENDOR "ffc")
# The install rules write for the prefix in force, under DESTDIR.
set(CPACK_SET_DESTDIR ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL ffc libffc libffc-dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${FFC_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# A shlibs file for the package holding a library: libffc.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY "=")
# libffc comes from this build: dpkg-shlibdeps finds it here, and ffc's
# dependency on it is stated below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS ${CMAKE_BINARY_DIR}/lib)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(ffc_same "(= ${PROJECT_VERSION})")
# Each description's first line is the package's synopsis.

set(CPACK_DEBIAN_FFC_PACKAGE_NAME ffc)
set(CPACK_DEBIAN_FFC_PACKAGE_SECTION net)
set(CPACK_DEBIAN_FFC_PACKAGE_DEPENDS "libffc ${ffc_same}, passwd")
set(ffc_control ${CMAKE_CURRENT_SOURCE_DIR}/debian/ffc)
set(CPACK_DEBIAN_FFC_PACKAGE_CONTROL_EXTRA ${ffc_control}/conffiles ${ffc_control}/postinst
    ${ffc_control}/prerm ${ffc_control}/postrm)
set(CPACK_COMPONENT_FFC_DESCRIPTION
"Families First concern correlation daemon and tools
ffcd receives protobuf concern notifications about children from police,
health and education adapters over ZeroMQ, links them to children, stores
them in LMDB, correlates them with configurable rules and publishes alerts
to multi-agency consoles. ffcctl is the operators' tool, ffc-send sends
concerns as an adapter does and ffc-watch prints alerts as a console.")

set(CPACK_DEBIAN_LIBFFC_PACKAGE_NAME libffc)
set(CPACK_DEBIAN_LIBFFC_PACKAGE_SECTION libs)
# ldconfig runs by trigger (CPack's own postinst and postrm call it too).
set(CPACK_DEBIAN_LIBFFC_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_SOURCE_DIR}/debian/libffc/triggers)
set(CPACK_COMPONENT_LIBFFC_DESCRIPTION
"Families First concern correlation - client library
libffc is what ffc's tools, C adapters and consoles link to: sending
concerns and reading their receipts, the control socket's requests and
replies, alerts, CURVE certificates and the JSON form of ffc's messages.")

set(CPACK_DEBIAN_LIBFFC-DEV_PACKAGE_NAME libffc-dev)
set(CPACK_DEBIAN_LIBFFC-DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_LIBFFC-DEV_PACKAGE_DEPENDS
    "libffc ${ffc_same}, libzmq3-dev, libprotobuf-c-dev")
set(CPACK_COMPONENT_LIBFFC-DEV_DESCRIPTION
"Families First concern correlation - development files
The headers of libffc (with the protobuf-c code generated from ffc.proto),
its pkg-config file and proto/ffc.proto, the wire contract, for writing
adapters and consoles in C or, from the proto, in any language.")

include(CPack)
