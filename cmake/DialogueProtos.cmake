# dialogue_proto_library(): compiles .proto files once into one static library.
#
# Every program links the one target this makes, so protoc runs once per file per
# build, never per consumer (google-cloud-cpp: cmake/CompileProtos.cmake).
function(dialogue_proto_library target)
  cmake_parse_arguments(ARG "" "OUT_DIR" "PROTOS;GRPC_PROTOS;IMPORT_DIRS" ${ARGN})
  set(out "${ARG_OUT_DIR}")
  file(MAKE_DIRECTORY "${out}")
  set(include_flags "")
  foreach(dir IN LISTS ARG_IMPORT_DIRS)
    list(APPEND include_flags "-I${dir}")
  endforeach()
  set(srcs "")
  foreach(entry IN LISTS ARG_PROTOS ARG_GRPC_PROTOS)
    # Each entry is "<import dir>:<path relative to it>".
    string(REPLACE ":" ";" parts "${entry}")
    list(GET parts 0 root)
    list(GET parts 1 rel)
    string(REGEX REPLACE "\\.proto$" "" stem "${rel}")
    set(outputs "${out}/${stem}.pb.cc" "${out}/${stem}.pb.h")
    set(plugin_args "")
    list(FIND ARG_GRPC_PROTOS "${entry}" is_grpc)
    if(NOT is_grpc EQUAL -1)
      list(APPEND outputs "${out}/${stem}.grpc.pb.cc" "${out}/${stem}.grpc.pb.h")
      set(plugin_args "--grpc_out=${out}" "--plugin=protoc-gen-grpc=${GRPC_CPP_PLUGIN}")
    endif()
    add_custom_command(
      OUTPUT ${outputs}
      COMMAND protobuf::protoc ARGS --cpp_out=${out} ${plugin_args} ${include_flags}
              "${root}/${rel}"
      DEPENDS "${root}/${rel}" protobuf::protoc
      COMMENT "protoc ${rel}"
      VERBATIM)
    foreach(o IN LISTS outputs)
      if(o MATCHES "\\.cc$")
        list(APPEND srcs "${o}")
      endif()
    endforeach()
  endforeach()
  add_library(${target} STATIC ${srcs})
  target_include_directories(${target} SYSTEM PUBLIC "${out}")
  target_link_libraries(${target} PUBLIC protobuf::libprotobuf gRPC::grpc++)
  # Generated code is not ours to warn about.
  target_compile_options(${target} PRIVATE -w)
endfunction()
