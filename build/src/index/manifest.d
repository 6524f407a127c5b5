build/src/index/manifest.o: src/index/manifest.c src/index/manifest.h \
 src/index/../util/buf.h src/index/../util/file.h src/index/../util/buf.h \
 src/index/../util/mem.h include/newsdex.h
src/index/manifest.h:
src/index/../util/buf.h:
src/index/../util/file.h:
src/index/../util/buf.h:
src/index/../util/mem.h:
include/newsdex.h:
