build/src/codec/store.o: src/codec/store.c src/codec/store.h \
 src/codec/../util/buf.h include/newsdex.h src/codec/../util/mem.h
src/codec/store.h:
src/codec/../util/buf.h:
include/newsdex.h:
src/codec/../util/mem.h:
