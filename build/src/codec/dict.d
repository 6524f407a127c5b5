build/src/codec/dict.o: src/codec/dict.c src/codec/dict.h \
 src/codec/../util/buf.h
src/codec/dict.h:
src/codec/../util/buf.h:
