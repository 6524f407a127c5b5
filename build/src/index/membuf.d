build/src/index/membuf.o: src/index/membuf.c src/index/membuf.h \
 src/index/../text/analyze.h include/newsdex.h src/index/segment.h \
 src/index/../codec/dict.h src/index/../codec/../util/buf.h \
 src/index/../codec/postings.h src/index/../codec/store.h \
 src/index/../util/file.h src/index/../util/buf.h src/index/../util/buf.h \
 src/index/../util/mem.h
src/index/membuf.h:
src/index/../text/analyze.h:
include/newsdex.h:
src/index/segment.h:
src/index/../codec/dict.h:
src/index/../codec/../util/buf.h:
src/index/../codec/postings.h:
src/index/../codec/store.h:
src/index/../util/file.h:
src/index/../util/buf.h:
src/index/../util/buf.h:
src/index/../util/mem.h:
