build/src/index/index.o: src/index/index.c src/index/index.h \
 src/index/../text/analyze.h src/index/../util/buf.h src/index/manifest.h \
 src/index/membuf.h include/newsdex.h src/index/segment.h \
 src/index/../codec/dict.h src/index/../codec/../util/buf.h \
 src/index/../codec/postings.h src/index/../codec/store.h \
 src/index/../util/file.h src/index/../util/buf.h \
 src/index/../ingest/markers.h src/index/../util/date.h \
 src/index/../util/mem.h
src/index/index.h:
src/index/../text/analyze.h:
src/index/../util/buf.h:
src/index/manifest.h:
src/index/membuf.h:
include/newsdex.h:
src/index/segment.h:
src/index/../codec/dict.h:
src/index/../codec/../util/buf.h:
src/index/../codec/postings.h:
src/index/../codec/store.h:
src/index/../util/file.h:
src/index/../util/buf.h:
src/index/../ingest/markers.h:
src/index/../util/date.h:
src/index/../util/mem.h:
