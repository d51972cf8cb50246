# dialogue_schema(TARGET SERVICE): compiles into TARGET the name of SERVICE's newest
# migration (DIALOGUE_SCHEMA_FILE), the schema the program waits for before it serves.
function(dialogue_schema target service)
  file(GLOB migrations CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/services/${service}/migrations/*.sql")
  list(SORT migrations)
  list(GET migrations -1 newest)
  get_filename_component(newest "${newest}" NAME)
  target_compile_definitions(${target} PRIVATE DIALOGUE_SCHEMA_SERVICE="${service}"
                                               DIALOGUE_SCHEMA_FILE="${newest}")
endfunction()
