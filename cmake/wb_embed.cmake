# wb_embed(TARGET NAME FILES...): compiles FILES into TARGET as a C array
#   const wb_embed_file NAME[] = {{"file name", data, len}, ..., {NULL, NULL, 0}};
# (core/embed.h), in the order given, each NUL-terminated. The array is regenerated at build time
# whenever a file changes; list the files with file(GLOB ... CONFIGURE_DEPENDS) so that adding a
# file re-runs the configure step.
# The file list travels to the generator '|'-separated (a ';' inside a COMMAND argument would
# split it into several arguments), quoted for the shell by VERBATIM.
function(wb_embed target name)
  set(out ${CMAKE_BINARY_DIR}/embed/${name}.c)
  string(REPLACE ";" "|" files "${ARGN}")
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNAME=${name} "-DFILES=${files}"
            -P ${CMAKE_SOURCE_DIR}/cmake/wb_embed_gen.cmake
    DEPENDS ${ARGN} ${CMAKE_SOURCE_DIR}/cmake/wb_embed_gen.cmake
    COMMENT "embedding ${name}" VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()
