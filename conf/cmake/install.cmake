# Run by `cmake --install` (install(CODE) in conf/CMakeLists.txt), with
# CMAKE_INSTALL_PREFIX the prefix given at install time and DESTDIR, if
# set, the staging root: writes the files whose contents or place depend
# on that prefix.
#   FFC_INSTALL_PART ffc         the configuration, the unit, sysusers.d
#   FFC_INSTALL_PART libffc-dev  libffc.pc
# The other FFC_* variables are the build's (GNUInstallDirs' directories,
# relative or absolute) and the source and build trees.

string(REGEX REPLACE "/+$" "" ffc_prefix "${CMAKE_INSTALL_PREFIX}")

# A GNUInstallDirs directory in full for this prefix. `system` ones
# (sysconfdir) follow its rule for prefix /usr (and /): /etc, not /usr/etc.
function(ffc_full out dir system)
  if(IS_ABSOLUTE "${dir}")
    set(full "${dir}")
  elseif(system AND (ffc_prefix STREQUAL "/usr" OR ffc_prefix STREQUAL ""))
    set(full "/${dir}")
  else()
    set(full "${ffc_prefix}/${dir}")
  endif()
  set(${out} "${full}" PARENT_SCOPE)
endfunction()

ffc_full(ffc_sysconfdir "${FFC_SYSCONFDIR}" ON)
ffc_full(ffc_sbindir "${FFC_SBINDIR}" OFF)
ffc_full(ffc_bindir "${FFC_BINDIR}" OFF)
ffc_full(ffc_libdir "${FFC_LIBDIR}" OFF)
ffc_full(ffc_includedir "${FFC_INCLUDEDIR}" OFF)
set(ffc_work "${FFC_BINARY_DIR}/install-time")
file(MAKE_DIRECTORY "${ffc_work}")

if(FFC_INSTALL_PART STREQUAL "ffc")
  # The configuration: 0640, for root and the daemon's group only. An
  # existing file is the administrator's: kept, with the shipped one
  # beside it as ffcd.conf.new.
  set(conf_dir "${ffc_sysconfdir}/ffc")
  set(conf_name "ffcd.conf")
  if(EXISTS "$ENV{DESTDIR}${conf_dir}/ffcd.conf")
    set(conf_name "ffcd.conf.new")
    message(STATUS "Keeping ${conf_dir}/ffcd.conf: the shipped one is ${conf_dir}/ffcd.conf.new")
  endif()
  file(INSTALL "${FFC_SOURCE_DIR}/conf/ffcd.conf" DESTINATION "${conf_dir}"
       RENAME "${conf_name}" PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
  # Installing for real as root where the group exists: give it the
  # group, as the package does (dpkg-statoverride).
  execute_process(COMMAND id -u OUTPUT_VARIABLE ffc_uid OUTPUT_STRIP_TRAILING_WHITESPACE)
  execute_process(COMMAND getent group ffc RESULT_VARIABLE ffc_no_group OUTPUT_QUIET)
  if("$ENV{DESTDIR}" STREQUAL "" AND ffc_uid STREQUAL "0" AND ffc_no_group EQUAL 0)
    execute_process(COMMAND chown root:ffc "${conf_dir}/${conf_name}")
  endif()

  # The unit, with the paths of this prefix; and the user it runs as,
  # for systemd-sysusers (the package's postinst makes the same user).
  set(FFC_SBIN "${ffc_sbindir}")
  set(FFC_CONF "${conf_dir}/ffcd.conf")
  configure_file("${FFC_SOURCE_DIR}/conf/systemd/ffcd.service.in" "${ffc_work}/ffcd.service" @ONLY)
  set(FFC_BIN "${ffc_bindir}")
  configure_file("${FFC_SOURCE_DIR}/conf/systemd/ffc-web.service.in" "${ffc_work}/ffc-web.service"
                 @ONLY)
  configure_file("${FFC_SOURCE_DIR}/conf/systemd/ffc.sysusers.in" "${ffc_work}/ffc.conf" @ONLY)
  file(INSTALL "${ffc_work}/ffcd.service" "${ffc_work}/ffc-web.service"
       DESTINATION "${ffc_prefix}/lib/systemd/system"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  file(INSTALL "${ffc_work}/ffc.conf" DESTINATION "${ffc_prefix}/lib/sysusers.d"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
elseif(FFC_INSTALL_PART STREQUAL "libffc-dev")
  set(FFC_PC_PREFIX "${ffc_prefix}")
  if(ffc_prefix STREQUAL "")
    set(FFC_PC_PREFIX "/")
  endif()
  # pkg-config's own ${prefix} where a directory sits under the prefix.
  foreach(dir libdir includedir)
    set(full "${ffc_${dir}}")
    string(LENGTH "${ffc_prefix}/" n)
    string(FIND "${full}" "${ffc_prefix}/" at)
    if(at EQUAL 0 AND NOT ffc_prefix STREQUAL "")
      string(SUBSTRING "${full}" ${n} -1 rest)
      set(full "\${prefix}/${rest}")
    endif()
    string(TOUPPER "${dir}" DIR)
    set(FFC_PC_${DIR} "${full}")
  endforeach()
  configure_file("${FFC_SOURCE_DIR}/client/libffc.pc.in" "${ffc_work}/libffc.pc" @ONLY)
  file(INSTALL "${ffc_work}/libffc.pc" DESTINATION "${ffc_libdir}/pkgconfig"
       PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
endif()
