# Installs the C ABI (library, rvc.h, rvc.hpp), the CLI, a CMake package and a pkg-config file.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS rvc EXPORT rvcTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT runtime NAMELINK_COMPONENT development
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS rvc_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)
install(FILES capi/include/rvc/rvc.h capi/include/rvc/rvc.hpp
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rvc COMPONENT development)

set(RVC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/rvc)
install(EXPORT rvcTargets NAMESPACE rvc:: DESTINATION ${RVC_CMAKE_DIR} COMPONENT development)
configure_package_config_file(cmake/rvcConfig.cmake.in "${PROJECT_BINARY_DIR}/rvcConfig.cmake"
                              INSTALL_DESTINATION ${RVC_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/rvcConfigVersion.cmake"
                                 COMPATIBILITY SameMajorVersion)
install(FILES "${PROJECT_BINARY_DIR}/rvcConfig.cmake" "${PROJECT_BINARY_DIR}/rvcConfigVersion.cmake"
        DESTINATION ${RVC_CMAKE_DIR} COMPONENT development)

configure_file(cmake/rvc.pc.in "${PROJECT_BINARY_DIR}/rvc.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/rvc.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig
        COMPONENT development)
