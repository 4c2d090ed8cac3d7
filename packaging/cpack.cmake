# CPack settings for `cpack -G DEB` (included from the top-level CMakeLists.txt, so that
# CPackConfig.cmake lands in the build directory). Dependencies come from dpkg-shlibdeps.
set(CPACK_PACKAGE_NAME eventlens)
set(CPACK_PACKAGE_VENDOR "The EventLens developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Debugger and visualizer for event-driven systems")
set(CPACK_PACKAGE_DESCRIPTION "EventLens shows why things happened in an event-driven system:
causation graphs per business flow, the service topology, reaction lag, and what people
otherwise miss (duplicates, unseen causes, clock skew). It runs an embedded ZeroMQ bus,
subscribes to live publishers, records, opens and replays JSON Lines recordings, and ships
demo systems. Includes the eventlens desktop app and the eventlens-cli command-line tool.")
set(CPACK_PACKAGE_CONTACT "EventLens developers <dev@eventlens.invalid>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The dot layout plugin is linked from Graphviz's plugin directory (see ui/CMakeLists.txt);
# dpkg-shlibdeps finds its package through the RUNPATH below.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS_PRIVATE_DIRS "${EVENTLENS_GRAPHVIZ_PLUGIN_DIR}")
include(CPack)
