# What the embedding scripts (embed_openapi.cmake, embed_console.cmake) share: turning a file's
# text into C++ raw string literal pieces, and writing a generated file only when it changed.

# `content` as C++ raw string literal pieces, one per line, each prefixed with `indent`: some
# compilers cap one literal's length, so the text is split every 8000 characters. `delimiter`
# must not occur in the text (e.g. "rogatory_console").
function(rogatory_raw_literal content delimiter indent out)
  string(LENGTH "${content}" length)
  set(pieces "")
  set(offset 0)
  while(offset LESS length)
    string(SUBSTRING "${content}" ${offset} 8000 piece)
    string(APPEND pieces "${indent}R\"${delimiter}(${piece})${delimiter}\"\n")
    math(EXPR offset "${offset} + 8000")
  endwhile()
  if(pieces STREQUAL "")
    set(pieces "${indent}\"\"\n")
  endif()
  set(${out} "${pieces}" PARENT_SCOPE)
endfunction()

# Writes `text` to `output`, leaving the file (and its time stamp) alone when it is unchanged, so
# an unchanged asset recompiles nothing.
function(rogatory_write_if_different output text)
  file(WRITE ${output}.tmp "${text}")
  file(COPY_FILE ${output}.tmp ${output} ONLY_IF_DIFFERENT)
  file(REMOVE ${output}.tmp)
endfunction()
