
# Consider dependencies only in project.
set(CMAKE_DEPENDS_IN_PROJECT_ONLY OFF)

# The set of languages for which implicit dependencies are needed:
set(CMAKE_DEPENDS_LANGUAGES
  )

# The set of dependency files which are needed:
set(CMAKE_DEPENDS_DEPENDENCY_FILES
  "/work/wt/i11/client/cert.c" "CMakeFiles/ffccore.dir/client/cert.c.o" "gcc" "CMakeFiles/ffccore.dir/client/cert.c.o.d"
  "/work/wt/i11/daemon/access.c" "CMakeFiles/ffccore.dir/daemon/access.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/access.c.o.d"
  "/work/wt/i11/daemon/alert.c" "CMakeFiles/ffccore.dir/daemon/alert.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/alert.c.o.d"
  "/work/wt/i11/daemon/alerts_socket.c" "CMakeFiles/ffccore.dir/daemon/alerts_socket.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/alerts_socket.c.o.d"
  "/work/wt/i11/daemon/arena.c" "CMakeFiles/ffccore.dir/daemon/arena.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/arena.c.o.d"
  "/work/wt/i11/daemon/authz.c" "CMakeFiles/ffccore.dir/daemon/authz.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/authz.c.o.d"
  "/work/wt/i11/daemon/child_record.c" "CMakeFiles/ffccore.dir/daemon/child_record.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/child_record.c.o.d"
  "/work/wt/i11/daemon/concern.c" "CMakeFiles/ffccore.dir/daemon/concern.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/concern.c.o.d"
  "/work/wt/i11/daemon/config.c" "CMakeFiles/ffccore.dir/daemon/config.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/config.c.o.d"
  "/work/wt/i11/daemon/config_read.c" "CMakeFiles/ffccore.dir/daemon/config_read.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/config_read.c.o.d"
  "/work/wt/i11/daemon/config_rules.c" "CMakeFiles/ffccore.dir/daemon/config_rules.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/config_rules.c.o.d"
  "/work/wt/i11/daemon/config_security.c" "CMakeFiles/ffccore.dir/daemon/config_security.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/config_security.c.o.d"
  "/work/wt/i11/daemon/conns.c" "CMakeFiles/ffccore.dir/daemon/conns.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/conns.c.o.d"
  "/work/wt/i11/daemon/console.c" "CMakeFiles/ffccore.dir/daemon/console.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/console.c.o.d"
  "/work/wt/i11/daemon/control.c" "CMakeFiles/ffccore.dir/daemon/control.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control.c.o.d"
  "/work/wt/i11/daemon/control_alerts.c" "CMakeFiles/ffccore.dir/daemon/control_alerts.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_alerts.c.o.d"
  "/work/wt/i11/daemon/control_audit.c" "CMakeFiles/ffccore.dir/daemon/control_audit.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_audit.c.o.d"
  "/work/wt/i11/daemon/control_child.c" "CMakeFiles/ffccore.dir/daemon/control_child.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_child.c.o.d"
  "/work/wt/i11/daemon/control_family.c" "CMakeFiles/ffccore.dir/daemon/control_family.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_family.c.o.d"
  "/work/wt/i11/daemon/control_household.c" "CMakeFiles/ffccore.dir/daemon/control_household.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_household.c.o.d"
  "/work/wt/i11/daemon/control_identity.c" "CMakeFiles/ffccore.dir/daemon/control_identity.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_identity.c.o.d"
  "/work/wt/i11/daemon/control_keep.c" "CMakeFiles/ffccore.dir/daemon/control_keep.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_keep.c.o.d"
  "/work/wt/i11/daemon/control_matches.c" "CMakeFiles/ffccore.dir/daemon/control_matches.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_matches.c.o.d"
  "/work/wt/i11/daemon/control_refusals.c" "CMakeFiles/ffccore.dir/daemon/control_refusals.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_refusals.c.o.d"
  "/work/wt/i11/daemon/control_reply.c" "CMakeFiles/ffccore.dir/daemon/control_reply.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_reply.c.o.d"
  "/work/wt/i11/daemon/control_rules.c" "CMakeFiles/ffccore.dir/daemon/control_rules.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_rules.c.o.d"
  "/work/wt/i11/daemon/control_status.c" "CMakeFiles/ffccore.dir/daemon/control_status.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_status.c.o.d"
  "/work/wt/i11/daemon/control_table.c" "CMakeFiles/ffccore.dir/daemon/control_table.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_table.c.o.d"
  "/work/wt/i11/daemon/control_trail.c" "CMakeFiles/ffccore.dir/daemon/control_trail.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/control_trail.c.o.d"
  "/work/wt/i11/daemon/display.c" "CMakeFiles/ffccore.dir/daemon/display.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/display.c.o.d"
  "/work/wt/i11/daemon/heartbeat.c" "CMakeFiles/ffccore.dir/daemon/heartbeat.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/heartbeat.c.o.d"
  "/work/wt/i11/daemon/household.c" "CMakeFiles/ffccore.dir/daemon/household.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/household.c.o.d"
  "/work/wt/i11/daemon/identity.c" "CMakeFiles/ffccore.dir/daemon/identity.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/identity.c.o.d"
  "/work/wt/i11/daemon/ids.c" "CMakeFiles/ffccore.dir/daemon/ids.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/ids.c.o.d"
  "/work/wt/i11/daemon/ingest.c" "CMakeFiles/ffccore.dir/daemon/ingest.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/ingest.c.o.d"
  "/work/wt/i11/daemon/judge.c" "CMakeFiles/ffccore.dir/daemon/judge.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/judge.c.o.d"
  "/work/wt/i11/daemon/judge_apply.c" "CMakeFiles/ffccore.dir/daemon/judge_apply.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/judge_apply.c.o.d"
  "/work/wt/i11/daemon/labels.c" "CMakeFiles/ffccore.dir/daemon/labels.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/labels.c.o.d"
  "/work/wt/i11/daemon/lifecycle.c" "CMakeFiles/ffccore.dir/daemon/lifecycle.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/lifecycle.c.o.d"
  "/work/wt/i11/daemon/link.c" "CMakeFiles/ffccore.dir/daemon/link.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/link.c.o.d"
  "/work/wt/i11/daemon/link_decide.c" "CMakeFiles/ffccore.dir/daemon/link_decide.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/link_decide.c.o.d"
  "/work/wt/i11/daemon/log.c" "CMakeFiles/ffccore.dir/daemon/log.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/log.c.o.d"
  "/work/wt/i11/daemon/match.c" "CMakeFiles/ffccore.dir/daemon/match.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/match.c.o.d"
  "/work/wt/i11/daemon/match_index.c" "CMakeFiles/ffccore.dir/daemon/match_index.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/match_index.c.o.d"
  "/work/wt/i11/daemon/merge.c" "CMakeFiles/ffccore.dir/daemon/merge.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/merge.c.o.d"
  "/work/wt/i11/daemon/outbox.c" "CMakeFiles/ffccore.dir/daemon/outbox.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/outbox.c.o.d"
  "/work/wt/i11/daemon/overdue.c" "CMakeFiles/ffccore.dir/daemon/overdue.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/overdue.c.o.d"
  "/work/wt/i11/daemon/privdrop.c" "CMakeFiles/ffccore.dir/daemon/privdrop.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/privdrop.c.o.d"
  "/work/wt/i11/daemon/reload.c" "CMakeFiles/ffccore.dir/daemon/reload.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/reload.c.o.d"
  "/work/wt/i11/daemon/retention.c" "CMakeFiles/ffccore.dir/daemon/retention.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/retention.c.o.d"
  "/work/wt/i11/daemon/rules.c" "CMakeFiles/ffccore.dir/daemon/rules.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/rules.c.o.d"
  "/work/wt/i11/daemon/server.c" "CMakeFiles/ffccore.dir/daemon/server.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/server.c.o.d"
  "/work/wt/i11/daemon/signals.c" "CMakeFiles/ffccore.dir/daemon/signals.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/signals.c.o.d"
  "/work/wt/i11/daemon/sockopts.c" "CMakeFiles/ffccore.dir/daemon/sockopts.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/sockopts.c.o.d"
  "/work/wt/i11/daemon/stats.c" "CMakeFiles/ffccore.dir/daemon/stats.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/stats.c.o.d"
  "/work/wt/i11/daemon/store.c" "CMakeFiles/ffccore.dir/daemon/store.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store.c.o.d"
  "/work/wt/i11/daemon/store_alerts.c" "CMakeFiles/ffccore.dir/daemon/store_alerts.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_alerts.c.o.d"
  "/work/wt/i11/daemon/store_audit.c" "CMakeFiles/ffccore.dir/daemon/store_audit.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_audit.c.o.d"
  "/work/wt/i11/daemon/store_children.c" "CMakeFiles/ffccore.dir/daemon/store_children.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_children.c.o.d"
  "/work/wt/i11/daemon/store_concerns.c" "CMakeFiles/ffccore.dir/daemon/store_concerns.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_concerns.c.o.d"
  "/work/wt/i11/daemon/store_counters.c" "CMakeFiles/ffccore.dir/daemon/store_counters.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_counters.c.o.d"
  "/work/wt/i11/daemon/store_households.c" "CMakeFiles/ffccore.dir/daemon/store_households.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_households.c.o.d"
  "/work/wt/i11/daemon/store_matches.c" "CMakeFiles/ffccore.dir/daemon/store_matches.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_matches.c.o.d"
  "/work/wt/i11/daemon/store_table.c" "CMakeFiles/ffccore.dir/daemon/store_table.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/store_table.c.o.d"
  "/work/wt/i11/daemon/tick.c" "CMakeFiles/ffccore.dir/daemon/tick.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/tick.c.o.d"
  "/work/wt/i11/daemon/validate.c" "CMakeFiles/ffccore.dir/daemon/validate.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/validate.c.o.d"
  "/work/wt/i11/daemon/whatif.c" "CMakeFiles/ffccore.dir/daemon/whatif.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/whatif.c.o.d"
  "/work/wt/i11/daemon/wire.c" "CMakeFiles/ffccore.dir/daemon/wire.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/wire.c.o.d"
  "/work/wt/i11/daemon/wire_alert.c" "CMakeFiles/ffccore.dir/daemon/wire_alert.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/wire_alert.c.o.d"
  "/work/wt/i11/daemon/wire_child.c" "CMakeFiles/ffccore.dir/daemon/wire_child.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/wire_child.c.o.d"
  "/work/wt/i11/daemon/wire_household.c" "CMakeFiles/ffccore.dir/daemon/wire_household.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/wire_household.c.o.d"
  "/work/wt/i11/daemon/zap.c" "CMakeFiles/ffccore.dir/daemon/zap.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/zap.c.o.d"
  "/work/wt/i11/daemon/zap_server.c" "CMakeFiles/ffccore.dir/daemon/zap_server.c.o" "gcc" "CMakeFiles/ffccore.dir/daemon/zap_server.c.o.d"
  )

# Targets to which this target links.
set(CMAKE_TARGET_LINKED_INFO_FILES
  "/work/wt/i11/build-rel/CMakeFiles/ffcstoreproto.dir/DependInfo.cmake"
  "/work/wt/i11/build-rel/CMakeFiles/ffcproto.dir/DependInfo.cmake"
  )

# Fortran module output directory.
set(CMAKE_Fortran_TARGET_MODULE_DIR "")
