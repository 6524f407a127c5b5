build/src/codec/postings.o: src/codec/postings.c src/codec/postings.h \
 src/codec/../util/buf.h src/codec/../util/mem.h
src/codec/postings.h:
src/codec/../util/buf.h:
src/codec/../util/mem.h:
