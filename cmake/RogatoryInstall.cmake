# `cmake --install` puts the public headers under include/rogatory/ and a CMake package, so
# embedders write find_package(rogatory CONFIG REQUIRED) and link rogatory::rogatory.
include(CMakePackageConfigHelpers)

# rogatory::rogatory is the engine plus every store adapter that was built.
add_library(rogatory INTERFACE)
add_library(rogatory::rogatory ALIAS rogatory)
target_link_libraries(rogatory INTERFACE rogatory_engine)
set(ROGATORY_EXPORTED_TARGETS rogatory rogatory_engine)
if(TARGET rogatory_store)
  target_link_libraries(rogatory INTERFACE rogatory_store)
  list(APPEND ROGATORY_EXPORTED_TARGETS rogatory_store)
endif()

# Webhook signing (rogatory/webhook_signature.h, docs/webhooks.md): the one piece of the webhook
# adapter embedders use; the dispatcher itself (cpp-httplib) stays inside the server.
if(TARGET rogatory_webhook_signature)
  target_link_libraries(rogatory INTERFACE rogatory_webhook_signature)
  list(APPEND ROGATORY_EXPORTED_TARGETS rogatory_webhook_signature)
  install(FILES ${PROJECT_SOURCE_DIR}/adapters/webhook/include/rogatory/webhook_signature.h
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/rogatory)
endif()

install(TARGETS ${ROGATORY_EXPORTED_TARGETS} EXPORT rogatoryTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/engine/include/rogatory
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(EXISTS ${PROJECT_SOURCE_DIR}/adapters/store/include/rogatory)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/adapters/store/include/rogatory
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
endif()
install(EXPORT rogatoryTargets NAMESPACE rogatory::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rogatory)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/rogatoryConfig.cmake.in
  ${PROJECT_BINARY_DIR}/rogatoryConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rogatory)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/rogatoryConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/rogatoryConfig.cmake
              ${PROJECT_BINARY_DIR}/rogatoryConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/rogatory)
