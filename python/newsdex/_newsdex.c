/*
** _newsdex.c -- the CPython binding of include/newsdex.h.
**
** Everything the package `newsdex` offers is defined here; newsdex/__init__.py
** only re-exports it and adds open().  The objects:
**
**   Index      one nd_index handle; every call on it takes the handle's lock
**   Results    what a search returned: hits, total, stories, facets,
**              histogram
**   Hit, Document, Topic, Thread
**              read-only records with attributes and the mapping protocol,
**              so that dict(hit) and pandas.DataFrame(res.to_dicts()) work
**   Error and one subclass per ND_ERR_* status
**
** Threads.  The header allows one thread at a time on a handle.  Each
** Index holds a lock; a call takes it, releases the GIL while the library
** works, takes the GIL back and only then releases the lock.  The lock is
** never waited for with the GIL held (a thread that finds it taken
** releases the GIL first), so a thread holding the lock can always get the
** GIL back: no deadlock.  Strings the handle owns (nd_errmsg, the id from
** nd_add, the results of nd_add_batch) are copied before the lock is
** released; results, facets, documents and links own their strings and
** are turned into Python objects after it.  An article's strings are kept
** alive by references the call holds, so that another thread changing the
** caller's dict cannot free them while the library reads them.
**
** Offsets.  The library counts bytes of UTF-8; Python counts code points.
** Topic spans and QueryError.offset are converted to code points (so that
** body[t.start:t.end] is the mention); QueryError.byte_offset keeps the
** library's value.
*/
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <datetime.h>
#include <pythread.h>
#include <structmember.h>

#include <stdlib.h>
#include <string.h>

#include "newsdex.h"

/* Articles per nd_add_batch() call, and the text (bytes of body) after
** which a batch is cut short: the header advises a few hundred articles or
** a few MB. */
#define BATCH_DOCS 256
#define BATCH_BYTES (4u << 20)

/* ------------------------------------------------------------------------ */
/* Exceptions                                                               */
/* ------------------------------------------------------------------------ */

static PyObject *Error, *OutOfMemoryError, *IOErrorExc, *CorruptError, *LockedError, *QueryError,
    *NotFoundError, *InvalidArgumentError, *ReadOnlyError, *NoSpaceError, *VersionError, *LimitError;

/* json.dumps / json.loads, for the extra fields of an article. */
static PyObject *json_dumps, *json_loads, *json_dumps_kw;

static PyObject *error_type(int status) {
  switch (status) {
  case ND_ERR_NOMEM: return OutOfMemoryError;
  case ND_ERR_IO: return IOErrorExc;
  case ND_ERR_CORRUPT: return CorruptError;
  case ND_ERR_LOCKED: return LockedError;
  case ND_ERR_QUERY: return QueryError;
  case ND_ERR_NOTFOUND: return NotFoundError;
  case ND_ERR_INVALID: return InvalidArgumentError;
  case ND_ERR_READONLY: return ReadOnlyError;
  case ND_ERR_NOSPACE: return NoSpaceError;
  case ND_ERR_VERSION: return VersionError;
  case ND_ERR_LIMIT: return LimitError;
  default: return Error;
  }
}

/* Set obj.name = value, stealing the reference to value (which may be NULL
** after a failed conversion: then -1). */
static int set_attr(PyObject *obj, const char *name, PyObject *value) {
  if (!value) return -1;
  int r = PyObject_SetAttrString(obj, name, value);
  Py_DECREF(value);
  return r;
}

/* A string from the library: UTF-8, bad bytes (a damaged archive) replaced. */
static PyObject *str_of(const char *s) {
  return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

/* As str_of(), but None for NULL or "" (an absent field). */
static PyObject *opt_str(const char *s) {
  if (!s || !*s) Py_RETURN_NONE;
  return str_of(s);
}

/* A new exception instance for a status and message, with .status set. */
static PyObject *error_new(int status, const char *msg) {
  PyObject *type = error_type(status);
  PyObject *text = str_of(msg && *msg ? msg : nd_strerror(status));
  if (!text) return NULL;
  PyObject *exc = PyObject_CallFunctionObjArgs(type, text, NULL);
  Py_DECREF(text);
  if (!exc) return NULL;
  if (set_attr(exc, "status", PyLong_FromLong(status))) {
    Py_DECREF(exc);
    return NULL;
  }
  return exc;
}

/* Raise an exception instance (stolen); returns NULL. */
static PyObject *raise_exc(PyObject *exc) {
  if (exc) {
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
  }
  return NULL;
}

/* What a failed call left on the handle, copied while the lock is held. */
typedef struct ndfail {
  int status;
  size_t offset; /* nd_error_offset(), for ND_ERR_QUERY */
  char msg[640];
} ndfail;

static void fail_capture(ndfail *f, const nd_index *ix, int status) {
  const char *m = ix ? nd_errmsg(ix) : "";
  f->status = status;
  f->offset = ix && status == ND_ERR_QUERY ? nd_error_offset(ix) : 0;
  snprintf(f->msg, sizeof f->msg, "%s", *m ? m : nd_strerror(status));
}

/* Code points in the first `bytes` bytes of the UTF-8 string s. */
static Py_ssize_t char_offset(const char *s, size_t bytes) {
  size_t n = strlen(s);
  if (bytes > n) bytes = n;
  Py_ssize_t chars = 0;
  for (size_t i = 0; i < bytes; i++) chars += ((unsigned char)s[i] & 0xC0) != 0x80;
  return chars;
}

/* Raise the error a failed call captured.  `query` (may be NULL): the
** UTF-8 query, for QueryError's attributes.  Returns NULL. */
static PyObject *raise_fail(const ndfail *f, PyObject *query) {
  PyObject *exc = error_new(f->status, f->msg);
  if (exc && f->status == ND_ERR_QUERY && query) {
    const char *q = PyUnicode_AsUTF8(query);
    if (!q || set_attr(exc, "offset", PyLong_FromSsize_t(char_offset(q, f->offset))) ||
        set_attr(exc, "byte_offset", PyLong_FromSize_t(f->offset)) ||
        PyObject_SetAttrString(exc, "query", query)) {
      Py_DECREF(exc);
      return NULL;
    }
  }
  return raise_exc(exc);
}

/* Error.__str__: the message alone.  (KeyError, a base of NotFoundError,
** would show it quoted.) */
static PyObject *error_str(PyObject *self, PyObject *Py_UNUSED(ignored)) {
  PyObject *args = PyObject_GetAttrString(self, "args");
  if (!args) return NULL;
  PyObject *r;
  if (PyTuple_Check(args) && PyTuple_GET_SIZE(args) == 1) r = PyObject_Str(PyTuple_GET_ITEM(args, 0));
  else r = ((PyTypeObject *)PyExc_BaseException)->tp_str(self);
  Py_DECREF(args);
  return r;
}

static PyMethodDef error_str_def = {"__str__", error_str, METH_NOARGS, "The library's message."};

/* ------------------------------------------------------------------------ */
/* Records: Hit, Document, Topic                                            */
/* ------------------------------------------------------------------------ */

#define REC_MAX 11

typedef struct Record {
  PyObject_HEAD
  PyObject *v[REC_MAX]; /* the fields, in the order of the type's members */
} Record;

/* A Document or a Thread also knows its Index and caches what it reads
** from it when first asked (a Document's links, a Thread's articles). */
typedef struct LinkedRecord {
  Record r;
  PyObject *index;
  PyObject *cache;
} LinkedRecord;

/* The attributes of a record type; their names, in order, are its keys. */
#define SLOT(i) (Py_ssize_t)(offsetof(Record, v) + (i) * sizeof(PyObject *))

static PyMemberDef hit_members[] = {
    {"id", T_OBJECT, SLOT(0), READONLY, "The article's id (str)."},
    {"score", T_OBJECT, SLOT(1), READONLY, "Relevance score (float; BM25F, higher is better)."},
    {"title", T_OBJECT, SLOT(2), READONLY, "Title, or None."},
    {"headline", T_OBJECT, SLOT(3), READONLY,
     "What a listing shows: the title, or for an untitled article the start of its first sentence."},
    {"date", T_OBJECT, SLOT(4), READONLY, "ISO 8601 date as stored, or None."},
    {"source", T_OBJECT, SLOT(5), READONLY, "Publication, or None."},
    {"url", T_OBJECT, SLOT(6), READONLY, "Address, or None."},
    {"snippet", T_OBJECT, SLOT(7), READONLY, "Text around the matches with highlight marks, or None."},
    {"versions", T_OBJECT, SLOT(8), READONLY,
     "Other live articles of its story (wire copies, near-duplicates): 0 when none (and with ids_only)."},
    {"story", T_OBJECT, SLOT(9), READONLY,
     "Key of its version group (16 hex digits): articles with the same key are versions of one story."},
    {"thread", T_OBJECT, SLOT(10), READONLY, "Key of its story thread (16 hex digits), for Index.thread()."},
    {NULL, 0, 0, 0, NULL}};

static PyMemberDef doc_members[] = {
    {"id", T_OBJECT, SLOT(0), READONLY, "The article's id (str)."},
    {"title", T_OBJECT, SLOT(1), READONLY, "Title, or None."},
    {"date", T_OBJECT, SLOT(2), READONLY, "ISO 8601 date as given, or None."},
    {"source", T_OBJECT, SLOT(3), READONLY, "Publication, or None."},
    {"url", T_OBJECT, SLOT(4), READONLY, "Address, or None."},
    {"body", T_OBJECT, SLOT(5), READONLY, "The text, \"(search)\" markers removed (str)."},
    {"marked", T_OBJECT, SLOT(6), READONLY, "Terms the source marked \"(search)\" (tuple of str)."},
    {"extra", T_OBJECT, SLOT(7), READONLY, "Any other fields of the article (dict)."},
    {NULL, 0, 0, 0, NULL}};

static PyMemberDef topic_members[] = {
    {"text", T_OBJECT, SLOT(0), READONLY, "Its canonical name: the fullest mention without a title; a country's one name."},
    {"type", T_OBJECT, SLOT(1), READONLY, "'person', 'organisation', 'place' or 'other'."},
    {"score", T_OBJECT, SLOT(2), READONLY, "Salience (float); higher is more worth a link."},
    {"start", T_OBJECT, SLOT(3), READONLY,
     "Start of its first mention: body[start:end] (code points, like Python str indexes)."},
    {"end", T_OBJECT, SLOT(4), READONLY, "End of its first mention (code points)."},
    {"mentions", T_OBJECT, SLOT(5), READONLY, "Mentions in the body, shorter forms included."},
    {"articles", T_OBJECT, SLOT(6), READONLY,
     "Articles of the archive that contain it (0 when linked without an archive)."},
    {NULL, 0, 0, 0, NULL}};

/* The attribute "from_" is the key "from" (a Python keyword). */
static PyMemberDef thread_members[] = {
    {"key", T_OBJECT, SLOT(0), READONLY, "The thread's key (16 hex digits, as Hit.thread)."},
    {"headline", T_OBJECT, SLOT(1), READONLY, "Headline of its first article."},
    {"first_id", T_OBJECT, SLOT(2), READONLY, "Id of its first article (by date)."},
    {"from_", T_OBJECT, SLOT(3), READONLY,
     "Date of its first article, or None when undated (thread['from'] in the mapping)."},
    {"to", T_OBJECT, SLOT(4), READONLY, "Date of its last dated article, or None."},
    {"articles", T_OBJECT, SLOT(5), READONLY, "Its live articles (int)."},
    {"stories", T_OBJECT, SLOT(6), READONLY, "Their version groups: wire copies of one story count once (int)."},
    {"sources", T_OBJECT, SLOT(7), READONLY, "Its sources and their articles, most first: a list of (source, count)."},
    {NULL, 0, 0, 0, NULL}};

static const char *const thread_keys[] = {"key", "headline", "first_id", "from", "to", "articles", "stories",
                                          "sources", NULL};

typedef struct recspec {
  const PyMemberDef *members;
  const char *const *names; /* the mapping's keys, when not the attribute names */
  int nrepr;      /* fields shown by repr() (0: all) */
  int n;          /* fields (counted at import) */
  PyObject *keys; /* tuple of the keys (made at import) */
} recspec;

static recspec HIT_SPEC = {hit_members, NULL, 0, 0, NULL};
static recspec DOC_SPEC = {doc_members, NULL, 3, 0, NULL};
static recspec TOPIC_SPEC = {topic_members, NULL, 0, 0, NULL};
static recspec THREAD_SPEC = {thread_members, thread_keys, 2, 0, NULL};

static PyTypeObject HitType, DocumentType, TopicType, ThreadType, ResultsType, IndexType;

static recspec *spec_of(PyObject *self) {
  PyTypeObject *t = Py_TYPE(self);
  if (t == &HitType) return &HIT_SPEC;
  if (t == &DocumentType) return &DOC_SPEC;
  if (t == &ThreadType) return &THREAD_SPEC;
  return &TOPIC_SPEC;
}

static int is_linked(PyObject *self) { return Py_TYPE(self) == &DocumentType || Py_TYPE(self) == &ThreadType; }

static void rec_dealloc(PyObject *self) {
  Record *r = (Record *)self;
  for (int i = 0; i < REC_MAX; i++) Py_CLEAR(r->v[i]);
  if (is_linked(self)) {
    Py_CLEAR(((LinkedRecord *)self)->index);
    Py_CLEAR(((LinkedRecord *)self)->cache);
  }
  Py_TYPE(self)->tp_free(self);
}

/* Index of the field named by key, -1 if none (no exception set). */
static int rec_find(PyObject *self, PyObject *key) {
  const recspec *s = spec_of(self);
  if (!PyUnicode_Check(key)) return -1;
  for (int i = 0; i < s->n; i++)
    if (PyUnicode_Compare(key, PyTuple_GET_ITEM(s->keys, i)) == 0) return i;
  return -1;
}

static Py_ssize_t rec_length(PyObject *self) { return spec_of(self)->n; }

static PyObject *rec_subscript(PyObject *self, PyObject *key) {
  int i = rec_find(self, key);
  if (i < 0) {
    PyErr_SetObject(PyExc_KeyError, key);
    return NULL;
  }
  PyObject *v = ((Record *)self)->v[i];
  Py_INCREF(v);
  return v;
}

static int rec_contains(PyObject *self, PyObject *key) { return rec_find(self, key) >= 0; }

static PyObject *rec_iter(PyObject *self) { return PyObject_GetIter(spec_of(self)->keys); }

static PyObject *rec_keys(PyObject *self, PyObject *Py_UNUSED(ignored)) {
  return PySequence_List(spec_of(self)->keys);
}

static PyObject *rec_values(PyObject *self, PyObject *Py_UNUSED(ignored)) {
  const recspec *s = spec_of(self);
  PyObject *l = PyList_New(s->n);
  if (!l) return NULL;
  for (int i = 0; i < s->n; i++) {
    PyObject *v = ((Record *)self)->v[i];
    Py_INCREF(v);
    PyList_SET_ITEM(l, i, v);
  }
  return l;
}

static PyObject *rec_items(PyObject *self, PyObject *Py_UNUSED(ignored)) {
  const recspec *s = spec_of(self);
  PyObject *l = PyList_New(s->n);
  if (!l) return NULL;
  for (int i = 0; i < s->n; i++) {
    PyObject *t = PyTuple_Pack(2, PyTuple_GET_ITEM(s->keys, i), ((Record *)self)->v[i]);
    if (!t) {
      Py_DECREF(l);
      return NULL;
    }
    PyList_SET_ITEM(l, i, t);
  }
  return l;
}

static PyObject *rec_to_dict(PyObject *self, PyObject *Py_UNUSED(ignored)) {
  const recspec *s = spec_of(self);
  PyObject *d = PyDict_New();
  if (!d) return NULL;
  for (int i = 0; i < s->n; i++)
    if (PyDict_SetItem(d, PyTuple_GET_ITEM(s->keys, i), ((Record *)self)->v[i])) {
      Py_DECREF(d);
      return NULL;
    }
  return d;
}

static PyObject *rec_get(PyObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs < 1 || nargs > 2) {
    PyErr_Format(PyExc_TypeError, "get expected 1 or 2 arguments, got %zd", nargs);
    return NULL;
  }
  int i = rec_find(self, args[0]);
  PyObject *v = i >= 0 ? ((Record *)self)->v[i] : nargs == 2 ? args[1] : Py_None;
  Py_INCREF(v);
  return v;
}

static PyObject *rec_repr(PyObject *self) {
  const recspec *s = spec_of(self);
  PyObject *parts = PyList_New(0), *sep = NULL, *joined = NULL, *r = NULL;
  if (!parts) return NULL;
  for (int i = 0; i < s->nrepr; i++) {
    PyObject *p = PyUnicode_FromFormat("%U=%R", PyTuple_GET_ITEM(s->keys, i), ((Record *)self)->v[i]);
    if (!p || PyList_Append(parts, p)) {
      Py_XDECREF(p);
      goto done;
    }
    Py_DECREF(p);
  }
  if (s->nrepr < s->n) {
    PyObject *p = PyUnicode_FromString("...");
    if (!p || PyList_Append(parts, p)) {
      Py_XDECREF(p);
      goto done;
    }
    Py_DECREF(p);
  }
  if (!(sep = PyUnicode_FromString(", ")) || !(joined = PyUnicode_Join(sep, parts))) goto done;
  r = PyUnicode_FromFormat("%s(%U)", Py_TYPE(self)->tp_name, joined);
done:
  Py_DECREF(parts);
  Py_XDECREF(sep);
  Py_XDECREF(joined);
  return r;
}

static PyObject *rec_richcompare(PyObject *a, PyObject *b, int op) {
  if ((op != Py_EQ && op != Py_NE) || Py_TYPE(a) != Py_TYPE(b)) Py_RETURN_NOTIMPLEMENTED;
  const recspec *s = spec_of(a);
  int eq = 1;
  for (int i = 0; i < s->n && eq; i++) {
    int r = PyObject_RichCompareBool(((Record *)a)->v[i], ((Record *)b)->v[i], Py_EQ);
    if (r < 0) return NULL;
    eq = r;
  }
  if (op == Py_NE) eq = !eq;
  return PyBool_FromLong(eq);
}

static PyMethodDef rec_methods[] = {
    {"keys", rec_keys, METH_NOARGS, "keys($self, /)\n--\n\nThe field names, in order (a list)."},
    {"values", rec_values, METH_NOARGS, "values($self, /)\n--\n\nThe field values, in the order of keys()."},
    {"items", rec_items, METH_NOARGS, "items($self, /)\n--\n\n(name, value) pairs, in the order of keys()."},
    {"get", (PyCFunction)(void (*)(void))rec_get, METH_FASTCALL,
     "get($self, key, default=None, /)\n--\n\nThe field named key, or default when there is no such field."},
    {"to_dict", rec_to_dict, METH_NOARGS, "to_dict($self, /)\n--\n\nThe fields as a new dict."},
    {NULL, NULL, 0, NULL}};

static PyMappingMethods rec_as_mapping = {
    .mp_length = rec_length,
    .mp_subscript = rec_subscript,
};

static PySequenceMethods rec_as_sequence = {
    .sq_contains = rec_contains,
};

static PyObject *rec_new(PyTypeObject *type) { return type->tp_alloc(type, 0); }

/* r, or NULL when one of its fields could not be made (r is then freed). */
static PyObject *rec_done(Record *r) {
  for (int i = 0; i < spec_of((PyObject *)r)->n; i++)
    if (!r->v[i]) {
      Py_DECREF(r);
      return NULL;
    }
  return (PyObject *)r;
}

/* A Hit from the library's hit. */
static PyObject *hit_from(const nd_hit *h) {
  Record *r = (Record *)rec_new(&HitType);
  if (!r) return NULL;
  r->v[0] = str_of(h->id);
  r->v[1] = PyFloat_FromDouble(h->score);
  r->v[2] = opt_str(h->title);
  r->v[3] = opt_str(h->headline);
  r->v[4] = opt_str(h->date);
  r->v[5] = opt_str(h->source);
  r->v[6] = opt_str(h->url);
  r->v[7] = opt_str(h->snippet);
  r->v[8] = PyLong_FromUnsignedLongLong(h->versions);
  r->v[9] = opt_str(h->story);
  r->v[10] = opt_str(h->thread);
  return rec_done(r);
}

/* A Topic; byte offsets converted to code points of body. */
static PyObject *topic_from(const nd_topic *t, const char *body) {
  Record *r = (Record *)rec_new(&TopicType);
  if (!r) return NULL;
  r->v[0] = str_of(t->text);
  r->v[1] = PyUnicode_FromString(nd_topic_type_name(t->type));
  r->v[2] = PyFloat_FromDouble(t->score);
  r->v[3] = PyLong_FromSsize_t(char_offset(body, t->start));
  r->v[4] = PyLong_FromSsize_t(char_offset(body, t->end));
  r->v[5] = PyLong_FromSize_t(t->mentions);
  r->v[6] = PyLong_FromUnsignedLongLong(t->articles);
  return rec_done(r);
}

/* A list of Topics from links of an article with this body; frees l. */
static PyObject *links_to_list(nd_links *l, const char *body) {
  size_t n = nd_links_count(l);
  PyObject *list = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; list && i < n; i++) {
    nd_topic t;
    PyObject *o = NULL;
    if (nd_links_topic(l, i, &t) == ND_OK) o = topic_from(&t, body);
    else PyErr_SetString(PyExc_RuntimeError, "nd_links_topic failed");
    if (!o) Py_CLEAR(list);
    else PyList_SET_ITEM(list, (Py_ssize_t)i, o);
  }
  nd_links_free(l);
  return list;
}

/* A new Document or Thread that came from index. */
static Record *linked_new(PyTypeObject *type, PyObject *index) {
  LinkedRecord *o = (LinkedRecord *)rec_new(type);
  if (!o) return NULL;
  Py_INCREF(index);
  o->index = index;
  return &o->r;
}

/* A Document from a stored article; index: the Index it came from. */
static PyObject *doc_from(const nd_doc *d, PyObject *index) {
  Record *r = linked_new(&DocumentType, index);
  if (!r) return NULL;
  r->v[0] = opt_str(d->id);
  r->v[1] = opt_str(d->title);
  r->v[2] = opt_str(d->date);
  r->v[3] = opt_str(d->source);
  r->v[4] = opt_str(d->url);
  r->v[5] = str_of(d->body ? d->body : "");
  r->v[6] = PyTuple_New((Py_ssize_t)d->n_marked);
  for (size_t i = 0; r->v[6] && i < d->n_marked; i++) {
    PyObject *m = str_of(d->marked[i]);
    if (!m) Py_CLEAR(r->v[6]);
    else PyTuple_SET_ITEM(r->v[6], (Py_ssize_t)i, m);
  }
  if (d->extra_json && *d->extra_json) {
    PyObject *text = str_of(d->extra_json);
    r->v[7] = text ? PyObject_CallFunctionObjArgs(json_loads, text, NULL) : NULL;
    Py_XDECREF(text);
    if (r->v[7] && !PyDict_Check(r->v[7])) {
      Py_CLEAR(r->v[7]);
      PyErr_SetString(CorruptError, "the stored extra fields are not a JSON object");
    }
  } else {
    r->v[7] = PyDict_New();
  }
  return rec_done(r);
}

/* ------------------------------------------------------------------------ */
/* Articles from Python: dicts to nd_doc                                    */
/* ------------------------------------------------------------------------ */

/* The strings of an article point into str objects that `keep` (a list)
** holds, so that they outlive any change to the caller's dict. */
static int put_str(PyObject *v, const char *field, const char **out, PyObject *keep, int empty_is_absent) {
  *out = NULL;
  if (!v || v == Py_None) return 0;
  if (!PyUnicode_Check(v)) {
    PyErr_Format(PyExc_TypeError, "field \"%s\" must be a str or None, not %.100s", field, Py_TYPE(v)->tp_name);
    return -1;
  }
  Py_ssize_t n;
  const char *s = PyUnicode_AsUTF8AndSize(v, &n);
  if (!s) return -1;
  if ((size_t)n != strlen(s)) {
    PyErr_Format(PyExc_ValueError, "field \"%s\" contains a NUL character", field);
    return -1;
  }
  if (PyList_Append(keep, v)) return -1;
  if (n > 0 || !empty_is_absent) *out = s;
  return 0;
}

/* Is m an article: a dict, or another mapping (one with keys())? */
static int is_article(PyObject *m) {
  return PyDict_Check(m) || (PyMapping_Check(m) && !PyUnicode_Check(m) && PyObject_HasAttrString(m, "keys"));
}

/* An article as a new dict, or NULL (TypeError) if it is no mapping. */
static PyObject *as_dict(PyObject *m) {
  if (!is_article(m)) {
    PyErr_Format(PyExc_TypeError, "an article must be a dict (or another mapping), not %.100s", Py_TYPE(m)->tp_name);
    return NULL;
  }
  PyObject *d = PyDict_New();
  if (d && PyDict_Merge(d, m, 1)) Py_CLEAR(d);
  return d;
}

static int is_key(PyObject *key, const char *name) { return PyUnicode_CompareWithASCIIString(key, name) == 0; }

/* Fill *doc from the mapping m.  *marked receives an array to PyMem_Free
** (or NULL).  Keys: id (str or int), title, date, source, url, body,
** marked (an iterable of str), extra (a dict); any other key is an extra
** field.  Returns 0, or -1 with an exception set. */
static int doc_from_mapping(PyObject *m, nd_doc *doc, const char ***marked, PyObject *keep) {
  memset(doc, 0, sizeof *doc);
  *marked = NULL;
  PyObject *d = as_dict(m), *extra = NULL, *key, *val;
  if (!d) return -1;
  Py_ssize_t pos = 0;
  int rc = -1;
  while (PyDict_Next(d, &pos, &key, &val)) {
    if (!PyUnicode_Check(key)) {
      PyErr_Format(PyExc_TypeError, "article keys must be str, not %.100s", Py_TYPE(key)->tp_name);
      goto done;
    }
    if (is_key(key, "id")) {
      if (PyLong_Check(val) && !PyBool_Check(val)) {
        PyObject *s = PyObject_Str(val);
        int bad = !s || put_str(s, "id", &doc->id, keep, 1);
        Py_XDECREF(s);
        if (bad) goto done;
      } else if (!PyUnicode_Check(val) && val != Py_None) {
        PyErr_Format(PyExc_TypeError, "field \"id\" must be a str, an int or None, not %.100s",
                     Py_TYPE(val)->tp_name);
        goto done;
      } else if (put_str(val, "id", &doc->id, keep, 1)) {
        goto done;
      }
    } else if (is_key(key, "title")) {
      if (put_str(val, "title", &doc->title, keep, 1)) goto done;
    } else if (is_key(key, "date")) {
      if (put_str(val, "date", &doc->date, keep, 1)) goto done;
    } else if (is_key(key, "source")) {
      if (put_str(val, "source", &doc->source, keep, 1)) goto done;
    } else if (is_key(key, "url")) {
      if (put_str(val, "url", &doc->url, keep, 1)) goto done;
    } else if (is_key(key, "body")) {
      if (put_str(val, "body", &doc->body, keep, 0)) goto done;
    } else if (is_key(key, "marked")) {
      if (val == Py_None) continue;
      if (PyUnicode_Check(val) || PyBytes_Check(val)) {
        PyErr_SetString(PyExc_TypeError, "field \"marked\" must be a list of str, not a single string");
        goto done;
      }
      PyObject *seq = PySequence_Fast(val, "field \"marked\" must be an iterable of str");
      if (!seq) goto done;
      Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
      if (PyList_Append(keep, seq)) {
        Py_DECREF(seq);
        goto done;
      }
      Py_DECREF(seq); /* keep holds it (and so its items) */
      PyMem_Free((void *)*marked);
      *marked = PyMem_Malloc((size_t)(n ? n : 1) * sizeof **marked);
      if (!*marked) {
        PyErr_NoMemory();
        goto done;
      }
      for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(item)) {
          PyErr_Format(PyExc_TypeError, "field \"marked\" must hold str, not %.100s", Py_TYPE(item)->tp_name);
          goto done;
        }
        if (put_str(item, "marked", &(*marked)[i], keep, 0)) goto done;
      }
      doc->marked = *marked;
      doc->n_marked = (size_t)n;
    } else {
      if (!extra && !(extra = PyDict_New())) goto done;
      if (is_key(key, "extra")) {
        if (val == Py_None) continue;
        if (!PyDict_Check(val)) {
          PyErr_Format(PyExc_TypeError, "field \"extra\" must be a dict or None, not %.100s",
                       Py_TYPE(val)->tp_name);
          goto done;
        }
        if (PyDict_Update(extra, val)) goto done;
      } else if (PyDict_SetItem(extra, key, val)) {
        goto done;
      }
    }
  }
  if (extra && PyDict_GET_SIZE(extra) > 0) {
    PyObject *args = PyTuple_Pack(1, extra);
    PyObject *text = args ? PyObject_Call(json_dumps, args, json_dumps_kw) : NULL;
    Py_XDECREF(args);
    int bad = !text || put_str(text, "extra", &doc->extra_json, keep, 1);
    Py_XDECREF(text);
    if (bad) goto done;
  }
  rc = 0;
done:
  Py_DECREF(d);
  Py_XDECREF(extra);
  if (rc) {
    PyMem_Free((void *)*marked);
    *marked = NULL;
  }
  return rc;
}

/* ------------------------------------------------------------------------ */
/* Results                                                                  */
/* ------------------------------------------------------------------------ */

typedef struct ResultsObject {
  PyObject_HEAD
  PyObject *hits;      /* list of Hit */
  PyObject *query;     /* str, or the id for related() */
  PyObject *facets;    /* dict: field -> dict key -> count */
  PyObject *histogram; /* dict: period -> count */
  PyObject *facet_total; /* what the facets counted (nd_facets.stories), or None */
  unsigned long long total, stories, undated;
  char total_exact;
  Py_ssize_t offset, limit;
} ResultsObject;

static void results_dealloc(PyObject *self) {
  ResultsObject *r = (ResultsObject *)self;
  Py_CLEAR(r->hits);
  Py_CLEAR(r->query);
  Py_CLEAR(r->facets);
  Py_CLEAR(r->histogram);
  Py_CLEAR(r->facet_total);
  Py_TYPE(self)->tp_free(self);
}

static Py_ssize_t results_length(PyObject *self) { return PyList_GET_SIZE(((ResultsObject *)self)->hits); }

static PyObject *results_item(PyObject *self, Py_ssize_t i) {
  PyObject *hits = ((ResultsObject *)self)->hits;
  if (i < 0 || i >= PyList_GET_SIZE(hits)) {
    PyErr_SetString(PyExc_IndexError, "hit index out of range");
    return NULL;
  }
  PyObject *h = PyList_GET_ITEM(hits, i);
  Py_INCREF(h);
  return h;
}

static PyObject *results_subscript(PyObject *self, PyObject *key) {
  return PyObject_GetItem(((ResultsObject *)self)->hits, key);
}

static PyObject *results_iter(PyObject *self) { return PyObject_GetIter(((ResultsObject *)self)->hits); }

static PyObject *results_to_dicts(PyObject *self, PyObject *Py_UNUSED(ignored)) {
  PyObject *hits = ((ResultsObject *)self)->hits;
  Py_ssize_t n = PyList_GET_SIZE(hits);
  PyObject *l = PyList_New(n);
  for (Py_ssize_t i = 0; l && i < n; i++) {
    PyObject *d = rec_to_dict(PyList_GET_ITEM(hits, i), NULL);
    if (!d) Py_CLEAR(l);
    else PyList_SET_ITEM(l, i, d);
  }
  return l;
}

static PyObject *results_repr(PyObject *self) {
  ResultsObject *r = (ResultsObject *)self;
  return PyUnicode_FromFormat("<newsdex.Results %R: %s%llu total, %zd hits>", r->query, r->total_exact ? "" : "at least ",
                              r->total, PyList_GET_SIZE(r->hits));
}

/* A copy: the Results' own list must hold Hits only (to_dicts() relies on it). */
static PyObject *results_hits(PyObject *self, void *Py_UNUSED(closure)) {
  PyObject *hits = ((ResultsObject *)self)->hits;
  return PyList_GetSlice(hits, 0, PyList_GET_SIZE(hits));
}

static PyMethodDef results_methods[] = {
    {"to_dicts", results_to_dicts, METH_NOARGS,
     "to_dicts($self, /)\n--\n\nThe hits as a list of dicts (keys: id, score, title, headline, date, source, url, "
     "snippet, versions, story, thread), e.g. for pandas.DataFrame(res.to_dicts())."},
    {NULL, NULL, 0, NULL}};

static PyMemberDef results_members[] = {
    {"query", T_OBJECT, offsetof(ResultsObject, query), READONLY,
     "The query searched (for related(), the article id)."},
    {"total", T_ULONGLONG, offsetof(ResultsObject, total), READONLY,
     "Matching articles (all of them, not only the hits returned); a lower bound when total_exact is False."},
    {"total_exact", T_BOOL, offsetof(ResultsObject, total_exact), READONLY,
     "True when total counts every match (count='exact'), False when it is a lower bound."},
    {"stories", T_ULONGLONG, offsetof(ResultsObject, stories), READONLY,
     "The stories (version groups) among the matching articles, whatever versions= says: wire copies of one "
     "story count once.  Exact when total is, else a lower bound."},
    {"facet_total", T_OBJECT, offsetof(ResultsObject, facet_total), READONLY,
     "With facets or a histogram: the matches they count, stories (versions='collapse') or articles "
     "(versions='all'); None when neither was asked."},
    {"facets", T_OBJECT, offsetof(ResultsObject, facets), READONLY,
     "Counts per field asked for: {field: {value: count}}, most frequent first ({} if none asked)."},
    {"histogram", T_OBJECT, offsetof(ResultsObject, histogram), READONLY,
     "Matching stories (versions='all': articles) per period, {period: count} in ascending order ({} if not "
     "asked)."},
    {"undated", T_ULONGLONG, offsetof(ResultsObject, undated), READONLY,
     "With a histogram: matching stories (versions='all': articles) that have no date."},
    {"offset", T_PYSSIZET, offsetof(ResultsObject, offset), READONLY, "Hits skipped before the first returned."},
    {"limit", T_PYSSIZET, offsetof(ResultsObject, limit), READONLY, "Hits asked for at most."},
    {NULL, 0, 0, 0, NULL}};

static PyGetSetDef results_getset[] = {
    {"hits", results_hits, NULL, "The hits returned, best first (a new list of Hit).", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods results_as_sequence = {
    .sq_length = results_length,
    .sq_item = results_item,
};

static PyMappingMethods results_as_mapping = {
    .mp_length = results_length,
    .mp_subscript = results_subscript,
};

/* A dict key -> count from n counts. */
static PyObject *counts_dict(const nd_count *c, size_t n) {
  PyObject *d = PyDict_New();
  for (size_t i = 0; d && i < n; i++) {
    PyObject *k = str_of(c[i].key), *v = PyLong_FromUnsignedLongLong(c[i].count);
    if (!k || !v || PyDict_SetItem(d, k, v)) Py_CLEAR(d);
    Py_XDECREF(k);
    Py_XDECREF(v);
  }
  return d;
}

/* A list of (key, count) pairs from n counts. */
static PyObject *counts_list(const nd_count *c, size_t n) {
  PyObject *l = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; l && i < n; i++) {
    PyObject *t = Py_BuildValue("(NK)", str_of(c[i].key), (unsigned long long)c[i].count);
    if (!t) Py_CLEAR(l);
    else PyList_SET_ITEM(l, (Py_ssize_t)i, t);
  }
  return l;
}

/* The Results object of a search; frees res and f (which may be NULL). */
static PyObject *results_from(nd_results *res, nd_facets *f, PyObject *query, size_t offset, size_t limit) {
  ResultsObject *r = (ResultsObject *)ResultsType.tp_alloc(&ResultsType, 0);
  if (!r) goto fail;
  Py_INCREF(query);
  r->query = query;
  r->total = nd_results_total(res);
  r->total_exact = (char)(nd_results_total_exact(res) != 0);
  r->stories = nd_results_stories(res);
  r->offset = (Py_ssize_t)offset;
  r->limit = (Py_ssize_t)limit;
  size_t n = nd_results_count(res);
  if (!(r->hits = PyList_New((Py_ssize_t)n))) goto fail;
  for (size_t i = 0; i < n; i++) {
    nd_hit h;
    if (nd_results_hit(res, i, &h) != ND_OK) {
      PyErr_SetString(PyExc_RuntimeError, "nd_results_hit failed");
      goto fail;
    }
    PyObject *o = hit_from(&h);
    if (!o) goto fail;
    PyList_SET_ITEM(r->hits, (Py_ssize_t)i, o);
  }
  if (!(r->facets = PyDict_New())) goto fail;
  if (f) {
    for (size_t i = 0; i < f->nfields; i++) {
      PyObject *d = counts_dict(f->fields[i].counts, f->fields[i].n);
      int bad = !d || PyDict_SetItemString(r->facets, f->fields[i].field, d);
      Py_XDECREF(d);
      if (bad) goto fail;
    }
    r->histogram = counts_dict(f->hist, f->nhist);
    r->undated = f->undated;
    r->facet_total = PyLong_FromUnsignedLongLong(f->stories);
  } else {
    r->histogram = PyDict_New();
    r->facet_total = Py_None;
    Py_INCREF(Py_None);
  }
  if (!r->histogram || !r->facet_total) goto fail;
  nd_results_free(res);
  nd_facets_free(f);
  return (PyObject *)r;
fail:
  Py_XDECREF(r);
  nd_results_free(res);
  nd_facets_free(f);
  return NULL;
}

/* ------------------------------------------------------------------------ */
/* Index                                                                    */
/* ------------------------------------------------------------------------ */

typedef struct IndexObject {
  PyObject_HEAD
  nd_index *ix;            /* NULL once closed */
  PyThread_type_lock lock; /* one library call at a time on ix */
  int writable;
  PyObject *path;          /* as given (str, bytes or a path-like's fspath) */
} IndexObject;

/* Take the handle's lock, releasing the GIL while waiting for it.  Only
** the library runs while it is held (no Python code), so a thread never
** waits for a lock it holds itself. */
static void ix_acquire(IndexObject *self) {
  if (!PyThread_acquire_lock(self->lock, NOWAIT_LOCK)) {
    Py_BEGIN_ALLOW_THREADS
    PyThread_acquire_lock(self->lock, WAIT_LOCK);
    Py_END_ALLOW_THREADS
  }
}

static void ix_unlock(IndexObject *self) { PyThread_release_lock(self->lock); }

/* Take the lock of an open index; raise if it is closed (lock not held
** then).  Returns 0 or -1. */
static int ix_lock(IndexObject *self) {
  ix_acquire(self);
  if (!self->ix) {
    ix_unlock(self);
    PyErr_SetString(PyExc_ValueError, "operation on a closed newsdex.Index");
    return -1;
  }
  return 0;
}

/* With the lock of an open index taken (ix_lock): rc = CALL, library
** calls on self->ix run with the GIL released (two in a row as
** "(rc = a) ? rc : b"); a failure is captured in f; then the lock is
** released. */
#define IX_CALL(self, f, rc, CALL)                   \
  do {                                               \
    Py_BEGIN_ALLOW_THREADS                           \
    (rc) = (CALL);                                   \
    if (rc) fail_capture(&(f), (self)->ix, (rc));    \
    Py_END_ALLOW_THREADS                             \
    ix_unlock(self);                                 \
  } while (0)

static PyObject *index_new(PyTypeObject *type, PyObject *Py_UNUSED(args), PyObject *Py_UNUSED(kw)) {
  IndexObject *self = (IndexObject *)type->tp_alloc(type, 0);
  if (!self) return NULL;
  if (!(self->lock = PyThread_allocate_lock())) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  return (PyObject *)self;
}

/* Close the handle once the call running on it (if any) is done; closing
** twice is harmless. */
static void ix_close(IndexObject *self) {
  ix_acquire(self);
  nd_index *ix = self->ix;
  self->ix = NULL;
  if (ix) {
    Py_BEGIN_ALLOW_THREADS
    nd_close(ix);
    Py_END_ALLOW_THREADS
  }
  ix_unlock(self);
}

static void index_dealloc(PyObject *op) {
  IndexObject *self = (IndexObject *)op;
  if (self->lock) { /* none if index_new failed */
    ix_close(self);
    PyThread_free_lock(self->lock);
  }
  Py_CLEAR(self->path);
  Py_TYPE(op)->tp_free(op);
}

static int index_init(PyObject *op, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"path",         "writable", "create",   "language", "buffer_bytes",
                           "merge_factor", "threads",  "near_dup", NULL};
  IndexObject *self = (IndexObject *)op;
  PyObject *path = NULL, *fspath = NULL, *near_dup = Py_None;
  int writable = 0, create = 0;
  const char *language = NULL;
  Py_ssize_t buffer_bytes = 0, merge_factor = 0, threads = 0;
  double near = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$ppznnnO:Index", kwlist, &path, &writable, &create, &language,
                                   &buffer_bytes, &merge_factor, &threads, &near_dup))
    return -1;
  if (self->ix || self->path) {
    PyErr_SetString(PyExc_RuntimeError, "newsdex.Index.__init__ called twice");
    return -1;
  }
  if (buffer_bytes < 0 || merge_factor < 0 || threads < 0 || merge_factor > 1000000 || threads > 1024) {
    PyErr_SetString(PyExc_ValueError,
                    "buffer_bytes, merge_factor and threads must be >= 0 (0: the default); merge_factor <= 1000000, "
                    "threads <= 1024");
    return -1;
  }
  if (near_dup != Py_None) {
    if (PyBool_Check(near_dup) || !(PyFloat_Check(near_dup) || PyLong_Check(near_dup))) {
      PyErr_Format(PyExc_TypeError, "near_dup must be a float or None, not %.100s", Py_TYPE(near_dup)->tp_name);
      return -1;
    }
    near = PyFloat_AsDouble(near_dup);
    if (near == -1.0 && PyErr_Occurred()) return -1;
    if (!(near > 0 && near <= 1)) {
      PyErr_Format(PyExc_ValueError, "near_dup must be in (0, 1] (a Jaccard overlap of 5-word shingles), not %R",
                   near_dup);
      return -1;
    }
  }
  if (!(fspath = PyOS_FSPath(path))) return -1;
  PyObject *bytes = NULL;
  if (!PyUnicode_FSConverter(fspath, &bytes)) {
    Py_DECREF(fspath);
    return -1;
  }
  nd_open_options o;
  memset(&o, 0, sizeof o);
  o.language = language;
  o.buffer_bytes = (size_t)buffer_bytes;
  o.merge_factor = (unsigned)merge_factor;
  o.threads = (unsigned)threads;
  o.near_dup = near;
  unsigned flags = (writable ? ND_OPEN_WRITE : 0) | (create ? ND_OPEN_CREATE : 0);
  const char *cpath = PyBytes_AS_STRING(bytes);
  nd_index *ix = NULL;
  ndfail f;
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = nd_open(cpath, flags, &o, &ix);
  if (rc) {
    fail_capture(&f, ix, rc);
    nd_close(ix);
    ix = NULL;
  }
  Py_END_ALLOW_THREADS
  Py_DECREF(bytes);
  if (rc) {
    Py_DECREF(fspath);
    raise_fail(&f, NULL);
    return -1;
  }
  self->ix = ix;
  self->writable = (flags & (ND_OPEN_WRITE | ND_OPEN_CREATE)) != 0;
  self->path = fspath;
  return 0;
}

static PyObject *index_close(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  ix_close((IndexObject *)op);
  Py_RETURN_NONE;
}

static PyObject *index_enter(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  if (!((IndexObject *)op)->ix) {
    PyErr_SetString(PyExc_ValueError, "operation on a closed newsdex.Index");
    return NULL;
  }
  Py_INCREF(op);
  return op;
}

/* A call taking the handle and nothing else: commit, optimize, refresh. */
static PyObject *index_simple(IndexObject *self, int (*fn)(nd_index *)) {
  if (ix_lock(self)) return NULL;
  ndfail f;
  int rc;
  IX_CALL(self, f, rc, fn(self->ix));
  if (rc) return raise_fail(&f, NULL);
  Py_RETURN_NONE;
}

static PyObject *index_exit(PyObject *op, PyObject *args) {
  IndexObject *self = (IndexObject *)op;
  PyObject *type = Py_None, *value = Py_None, *tb = Py_None;
  if (!PyArg_UnpackTuple(args, "__exit__", 0, 3, &type, &value, &tb)) return NULL;
  PyObject *r = Py_None;
  Py_INCREF(r);
  if (type == Py_None && self->writable && self->ix) {
    Py_DECREF(r);
    r = index_simple(self, nd_commit);
  }
  ix_close(self); /* even when the commit failed (its exception stays set) */
  if (!r) return NULL;
  Py_DECREF(r);
  Py_RETURN_FALSE;
}

static PyObject *index_commit(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  return index_simple((IndexObject *)op, nd_commit);
}

static PyObject *index_optimize(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  return index_simple((IndexObject *)op, nd_optimize);
}

static PyObject *index_refresh(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  return index_simple((IndexObject *)op, nd_refresh);
}

/* The UTF-8 of a str argument without NUL, or NULL with an exception. */
static const char *arg_utf8(PyObject *s, const char *what) {
  if (!PyUnicode_Check(s)) {
    PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", what, Py_TYPE(s)->tp_name);
    return NULL;
  }
  Py_ssize_t n;
  const char *u = PyUnicode_AsUTF8AndSize(s, &n);
  if (u && (size_t)n != strlen(u)) {
    PyErr_Format(PyExc_ValueError, "%s contains a NUL character", what);
    return NULL;
  }
  return u;
}

/* ---- recency: half-lives and dates ---- */

#define SECS_PER_DAY 86400.0
/* The longest half-life: a million years (the command's --recency takes at
** most 1e6 of its largest unit). */
#define MAX_HALF_LIFE (1e6 * 365 * SECS_PER_DAY)


/* ValueError "ARG: WHY (OBJ)"; -1. */
static int value_error(const char *arg, const char *why, PyObject *obj) {
  PyErr_Format(PyExc_ValueError, "%s: %s (%R)", arg, why, obj);
  return -1;
}

/* A half-life as the command writes it: a number and a unit h, d, w or y
** ("30d", "1.5w"), read by the library; obj is the str, for the message.
** 0, or -1 with ValueError. */
static int parse_duration(const char *s, PyObject *obj, double *out) {
  char why[160];
  return nd_parse_duration(s, out, why, sizeof why) == ND_OK ? 0 : value_error("recency", why, obj);
}

/* recency=: None (0: no recency), a str such as "30d", a number of
** seconds or a timedelta. */
static int parse_half_life(PyObject *v, double *out) {
  double secs;
  *out = 0;
  if (v == Py_None) return 0;
  if (PyUnicode_Check(v)) {
    const char *s = arg_utf8(v, "recency");
    return s && !parse_duration(s, v, out) ? 0 : -1;
  }
  if (PyDelta_Check(v)) {
    secs = PyDateTime_DELTA_GET_DAYS(v) * SECS_PER_DAY + PyDateTime_DELTA_GET_SECONDS(v) +
           PyDateTime_DELTA_GET_MICROSECONDS(v) / 1e6;
  } else if ((PyLong_Check(v) || PyFloat_Check(v)) && !PyBool_Check(v)) {
    secs = PyFloat_AsDouble(v);
    if (secs == -1.0 && PyErr_Occurred()) return -1;
  } else {
    PyErr_Format(PyExc_TypeError, "recency must be a str such as '30d', a number of seconds or a datetime.timedelta, "
                 "not %.100s", Py_TYPE(v)->tp_name);
    return -1;
  }
  if (!(secs > 0) || secs > MAX_HALF_LIFE) {
    PyErr_Format(PyExc_ValueError, "recency: a half-life must be positive and at most a million years, not %R", v);
    return -1;
  }
  *out = secs;
  return 0;
}

/* Days from 1970-01-01 to a date or datetime object. */
static int epoch_days(PyObject *date, long long *days) {
  PyObject *o = PyObject_CallMethod(date, "toordinal", NULL);
  if (!o) return -1;
  long long ord = PyLong_AsLongLong(o);
  Py_DECREF(o);
  if (ord == -1 && PyErr_Occurred()) return -1;
  *days = ord - 719163; /* date(1970, 1, 1).toordinal() */
  return 0;
}

/* An article date as the library reads it (YYYY-MM-DD, or
** YYYY-MM-DDThh:mm[:ss] and a zone) as seconds since 1970; obj is the
** str, for the message.  0, or -1 with ValueError. */
static int parse_date_text(const char *s, PyObject *obj, int64_t *out) {
  char why[160];
  return nd_parse_date(s, out, why, sizeof why) == ND_OK ? 0 : value_error("as_of", why, obj);
}

/* as_of=: None (now), a date str, a datetime (naive: UTC) or a date
** (its midnight, UTC), as seconds since 1970. */
static int parse_as_of(PyObject *v, int64_t *out) {
  long long days;
  *out = 0;
  if (v == Py_None) return 0;
  if (PyUnicode_Check(v)) {
    const char *s = arg_utf8(v, "as_of");
    if (!s || parse_date_text(s, v, out)) return -1;
  } else if (PyDate_Check(v)) {
    if (epoch_days(v, &days)) return -1;
    *out = (int64_t)days * 86400;
    if (PyDateTime_Check(v)) {
      *out += PyDateTime_DATE_GET_HOUR(v) * 3600 + PyDateTime_DATE_GET_MINUTE(v) * 60 + PyDateTime_DATE_GET_SECOND(v);
      PyObject *off = PyObject_CallMethod(v, "utcoffset", NULL);
      if (!off) return -1;
      if (PyDelta_Check(off))
        *out -= (int64_t)PyDateTime_DELTA_GET_DAYS(off) * 86400 + PyDateTime_DELTA_GET_SECONDS(off);
      Py_DECREF(off);
    }
  } else {
    PyErr_Format(PyExc_TypeError, "as_of must be a date str (YYYY-MM-DD), a datetime or a date, not %.100s",
                 Py_TYPE(v)->tp_name);
    return -1;
  }
  if (*out == 0) { /* nd_search_options.as_of 0 means now */
    PyErr_SetString(PyExc_ValueError, "as_of: 1970-01-01T00:00:00Z cannot be asked for (the library reads it as now)");
    return -1;
  }
  return 0;
}

/* ---- search and related ---- */

/* Search options from Python, with the strings they point into. */
typedef struct search_req {
  nd_search_options so;
  const char **fields; /* facet fields (PyMem) */
  size_t nfields;
  size_t facet_limit;
  int hist;
  PyObject *keep;      /* list holding every str pointed into */
} search_req;

static void req_free(search_req *q) {
  PyMem_Free((void *)q->fields);
  Py_XDECREF(q->keep);
}

static int parse_choice(const char *what, const char *v, const char *const *names, const int *values, int *out) {
  for (int i = 0; names[i]; i++)
    if (!strcmp(v, names[i])) {
      *out = values[i];
      return 0;
    }
  PyErr_Format(PyExc_ValueError, "unknown %s '%s'", what, v);
  return -1;
}

/* The keyword options of search() and related(), as parsed. */
typedef struct search_args {
  Py_ssize_t limit, offset, snippet_chars, facet_limit;
  const char *sort, *count, *versions, *hist;
  PyObject *snippets, *highlight, *recency, *as_of, *facets;
  int ids_only;
} search_args;

/* Fill q from the options. */
static int req_fill(search_req *q, const search_args *a) {
  static const char *const SORTS[] = {"relevance", "date", NULL};
  static const int SORT_V[] = {ND_SORT_RELEVANCE, ND_SORT_DATE};
  static const char *const COUNTS[] = {"exact", "lower_bound", "lower-bound", "only", NULL};
  static const int COUNT_V[] = {ND_COUNT_EXACT, ND_COUNT_LOWER_BOUND, ND_COUNT_LOWER_BOUND, ND_COUNT_ONLY};
  static const char *const SNIPS[] = {"plain", "html", "none", NULL};
  static const int SNIP_V[] = {ND_SNIPPET_PLAIN, ND_SNIPPET_HTML, ND_SNIPPET_NONE};
  static const char *const HISTS[] = {"day", "week", "month", "year", NULL};
  static const int HIST_V[] = {ND_HIST_DAY, ND_HIST_WEEK, ND_HIST_MONTH, ND_HIST_YEAR};
  static const char *const VERSIONS[] = {"collapse", "all", NULL};
  static const int VERSIONS_V[] = {ND_VERSIONS_COLLAPSE, ND_VERSIONS_ALL};
  memset(q, 0, sizeof *q);
  if (!(q->keep = PyList_New(0))) return -1;
  if (a->limit < 0 || a->offset < 0 || a->snippet_chars < 0 || a->facet_limit < 0) {
    PyErr_SetString(PyExc_ValueError, "limit, offset, snippet_chars and facet_limit must not be negative");
    return -1;
  }
  q->so.limit = (size_t)a->limit;
  q->so.offset = (size_t)a->offset;
  q->so.snippet_chars = (size_t)a->snippet_chars;
  q->so.ids_only = a->ids_only;
  if (parse_choice("sort", a->sort, SORTS, SORT_V, &q->so.sort) ||
      parse_choice("count", a->count, COUNTS, COUNT_V, &q->so.count) ||
      parse_choice("versions", a->versions, VERSIONS, VERSIONS_V, &q->so.versions) ||
      parse_half_life(a->recency, &q->so.half_life) || parse_as_of(a->as_of, &q->so.as_of))
    return -1;
  if (q->so.as_of && !q->so.half_life) {
    PyErr_SetString(PyExc_ValueError, "as_of needs recency (a half-life such as '30d')");
    return -1;
  }
  if (a->limit == 0) q->so.count = ND_COUNT_ONLY; /* the library's limit 0 means its default */
  PyObject *snippets = a->snippets, *highlight = a->highlight, *facets = a->facets;
  if (snippets == Py_None || snippets == Py_False) q->so.snippets = ND_SNIPPET_NONE;
  else if (snippets == Py_True) q->so.snippets = ND_SNIPPET_PLAIN;
  else if (PyUnicode_Check(snippets)) {
    const char *s = PyUnicode_AsUTF8(snippets);
    if (!s || parse_choice("snippets", s, SNIPS, SNIP_V, &q->so.snippets)) return -1;
  } else {
    PyErr_Format(PyExc_TypeError, "snippets must be True, False, 'plain', 'html' or 'none', not %.100s",
                 Py_TYPE(snippets)->tp_name);
    return -1;
  }
  if (highlight != Py_None) {
    if (!PyTuple_Check(highlight) || PyTuple_GET_SIZE(highlight) != 2) {
      PyErr_SetString(PyExc_TypeError, "highlight must be a tuple (open, close) of two str");
      return -1;
    }
    PyObject *o = PyTuple_GET_ITEM(highlight, 0), *c = PyTuple_GET_ITEM(highlight, 1);
    if (!(q->so.hl_open = arg_utf8(o, "highlight[0]")) || !(q->so.hl_close = arg_utf8(c, "highlight[1]")) ||
        PyList_Append(q->keep, highlight))
      return -1;
  } else if (q->so.snippets == ND_SNIPPET_HTML) {
    q->so.hl_open = "<mark>";
    q->so.hl_close = "</mark>";
  }
  q->facet_limit = (size_t)a->facet_limit;
  if (a->hist && parse_choice("histogram", a->hist, HISTS, HIST_V, &q->hist)) return -1;
  if (facets && facets != Py_None) {
    PyObject *seq;
    if (PyUnicode_Check(facets)) seq = PyTuple_Pack(1, facets);
    else seq = PySequence_Fast(facets, "facets must be a list of field names");
    if (!seq) return -1;
    int bad = PyList_Append(q->keep, seq);
    Py_DECREF(seq);
    if (bad) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (!(q->fields = PyMem_Malloc((size_t)(n ? n : 1) * sizeof *q->fields))) {
      PyErr_NoMemory();
      return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++)
      if (!(q->fields[i] = arg_utf8(PySequence_Fast_GET_ITEM(seq, i), "a facet field"))) return -1;
    q->nfields = (size_t)n;
  }
  return 0;
}

/* Parse the arguments of search() (facets allowed) or related() into the
** first argument (the query or the id, as UTF-8 in *text) and q, which
** the caller frees with req_free() even on failure.  0, or -1. */
static int parse_search_call(PyObject *args, PyObject *kw, int facets_ok, PyObject **first, const char **text,
                             search_req *q) {
  static char *search_kw[] = {"query", "limit", "offset", "sort", "snippets", "snippet_chars", "highlight", "count",
                              "ids_only", "versions", "recency", "as_of", "facets", "facet_limit", "histogram", NULL};
  static char *related_kw[] = {"id", "limit", "offset", "sort", "snippets", "snippet_chars", "highlight", "count",
                               "ids_only", "versions", "recency", "as_of", NULL};
  search_args a = {.limit = 10, .facet_limit = 10, .sort = "relevance", .count = "exact", .versions = "collapse",
                   .snippets = Py_True, .highlight = Py_None, .recency = Py_None, .as_of = Py_None,
                   .facets = Py_None};
#define SEARCH_ARG_PTRS                                                                                          \
  first, &a.limit, &a.offset, &a.sort, &a.snippets, &a.snippet_chars, &a.highlight, &a.count, &a.ids_only,     \
      &a.versions, &a.recency, &a.as_of, &a.facets, &a.facet_limit, &a.hist
  int ok = facets_ok ? PyArg_ParseTupleAndKeywords(args, kw, "O|$nnsOnOspsOOOnz:search", search_kw, SEARCH_ARG_PTRS)
                     : PyArg_ParseTupleAndKeywords(args, kw, "O|$nnsOnOspsOO:related", related_kw, SEARCH_ARG_PTRS);
#undef SEARCH_ARG_PTRS
  memset(q, 0, sizeof *q);
  if (!ok || !(*text = arg_utf8(*first, facets_ok ? "the query" : "the id"))) return -1;
  return req_fill(q, &a);
}

#define SEARCH_DOC_OPTIONS                                                                                       \
  "limit: hits to return (default 10; 0: none, only the exact total).  offset: hits to skip first.\n"          \
  "sort: 'relevance' (default; ties newest first) or 'date' (newest first).\n"                                  \
  "snippets: 'plain' or True (default), 'html' (text HTML-escaped), 'none' or False.\n"                        \
  "snippet_chars: approximate snippet length (0: 160).\n"                                                        \
  "highlight: (open, close) marks around matched words; default ('[', ']'), for html ('<mark>', '</mark>').\n"   \
  "count: 'exact' (default), 'lower_bound' (faster; total is then at least the count, see total_exact)\n"     \
  "or 'only' (no hits, the exact total: the same as limit=0).\n"                                               \
  "ids_only: hits carry only id and score; nothing stored is read.\n"                                          \
  "versions: 'collapse' (default): one hit per story (wire copies and near-duplicates), its best-ranked\n"     \
  "version, hit.versions saying how many others there are; 'all': every matching article.\n"                   \
  "recency: a half-life -- '30d' (a number and h, d, w or y), a number of seconds or a timedelta: each\n"       \
  "score is multiplied by 2**(-age/half_life); an undated article counts as 10 half-lives old.\n"              \
  "as_of: with recency, the time ages are counted back from (default now): 'YYYY-MM-DD', a date-time\n"        \
  "string, a datetime (naive: UTC) or a date.\n"

static PyObject *index_search(PyObject *op, PyObject *args, PyObject *kw) {
  IndexObject *self = (IndexObject *)op;
  PyObject *query = NULL;
  const char *q = NULL;
  search_req req;
  if (parse_search_call(args, kw, 1, &query, &q, &req)) {
    req_free(&req);
    return NULL;
  }
  int want_facets = req.nfields > 0 || req.hist != ND_HIST_NONE;
  nd_facet_options fo = {.fields = req.fields, .nfields = req.nfields, .limit = req.facet_limit,
                         .histogram = req.hist, .versions = req.so.versions};
  nd_results *res = NULL;
  nd_facets *fa = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) {
    req_free(&req);
    return NULL;
  }
  IX_CALL(self, f, rc,
          (rc = nd_search(self->ix, q, &req.so, &res)) || !want_facets ? rc : nd_facets_get(self->ix, q, &fo, &fa));
  req_free(&req);
  if (rc) {
    nd_results_free(res);
    nd_facets_free(fa);
    return raise_fail(&f, query);
  }
  return results_from(res, fa, query, req.so.offset, req.so.limit);
}

static PyObject *index_related(PyObject *op, PyObject *args, PyObject *kw) {
  IndexObject *self = (IndexObject *)op;
  PyObject *id = NULL;
  const char *cid = NULL;
  search_req req;
  if (parse_search_call(args, kw, 0, &id, &cid, &req)) {
    req_free(&req);
    return NULL;
  }
  nd_results *res = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) {
    req_free(&req);
    return NULL;
  }
  IX_CALL(self, f, rc, nd_related(self->ix, cid, &req.so, &res));
  req_free(&req);
  if (rc) {
    nd_results_free(res);
    return raise_fail(&f, NULL);
  }
  return results_from(res, NULL, id, req.so.offset, req.so.limit);
}

static PyObject *index_suggest(PyObject *op, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"prefix", "limit", NULL};
  IndexObject *self = (IndexObject *)op;
  PyObject *prefix;
  Py_ssize_t limit = 10;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|n:suggest", kwlist, &prefix, &limit)) return NULL;
  const char *p = arg_utf8(prefix, "the prefix");
  if (!p) return NULL;
  if (limit < 1) {
    PyErr_SetString(PyExc_ValueError, "limit must be at least 1");
    return NULL;
  }
  nd_count *c = NULL;
  size_t n = 0;
  ndfail f;
  int rc;
  if (ix_lock(self)) return NULL;
  IX_CALL(self, f, rc, nd_suggest(self->ix, p, (size_t)limit, &c, &n));
  if (rc) {
    nd_counts_free(c);
    return raise_fail(&f, NULL);
  }
  PyObject *l = counts_list(c, n);
  nd_counts_free(c);
  return l;
}

/* ---- articles ---- */

static PyObject *index_get(PyObject *op, PyObject *id) {
  IndexObject *self = (IndexObject *)op;
  const char *cid = arg_utf8(id, "the id");
  if (!cid) return NULL;
  nd_document *d = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) return NULL;
  IX_CALL(self, f, rc, nd_get(self->ix, cid, &d));
  if (rc) {
    nd_document_free(d);
    return raise_fail(&f, NULL);
  }
  PyObject *o = doc_from(nd_document_doc(d), op);
  nd_document_free(d);
  return o;
}

static int index_contains(PyObject *op, PyObject *id) {
  IndexObject *self = (IndexObject *)op;
  const char *cid = arg_utf8(id, "an id");
  if (!cid) return -1;
  nd_document *d = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) return -1;
  Py_BEGIN_ALLOW_THREADS
  rc = nd_get(self->ix, cid, &d);
  if (rc && rc != ND_ERR_NOTFOUND) fail_capture(&f, self->ix, rc);
  Py_END_ALLOW_THREADS
  ix_unlock(self);
  nd_document_free(d);
  if (rc == ND_ERR_NOTFOUND) return 0;
  if (rc) {
    raise_fail(&f, NULL);
    return -1;
  }
  return 1;
}

static PyObject *index_delete(PyObject *op, PyObject *id) {
  IndexObject *self = (IndexObject *)op;
  const char *cid = arg_utf8(id, "the id");
  if (!cid) return NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) return NULL;
  IX_CALL(self, f, rc, nd_delete(self->ix, cid));
  if (rc) return raise_fail(&f, NULL);
  Py_RETURN_NONE;
}

static char *dup_or_null(const char *s) {
  if (!s) return NULL;
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

/* add(doc): one article. */
static PyObject *add_one(IndexObject *self, PyObject *m) {
  PyObject *keep = PyList_New(0);
  if (!keep) return NULL;
  nd_doc doc;
  const char **marked = NULL;
  if (doc_from_mapping(m, &doc, &marked, keep)) {
    Py_DECREF(keep);
    return NULL;
  }
  ndfail f;
  int rc;
  char *id = NULL;
  if (ix_lock(self)) {
    PyMem_Free((void *)marked);
    Py_DECREF(keep);
    return NULL;
  }
  Py_BEGIN_ALLOW_THREADS
  const char *out = NULL;
  rc = nd_add(self->ix, &doc, &out);
  if (rc) fail_capture(&f, self->ix, rc);
  else id = dup_or_null(out ? out : "");
  Py_END_ALLOW_THREADS
  ix_unlock(self);
  PyMem_Free((void *)marked);
  Py_DECREF(keep);
  if (rc) return raise_fail(&f, NULL);
  if (!id) return PyErr_NoMemory();
  PyObject *r = str_of(id);
  free(id);
  return r;
}

/* What became of one article of a batch, copied out of the handle. */
typedef struct added {
  int status;
  char *id;  /* malloc'ed or NULL */
  char *msg; /* malloc'ed or NULL */
} added;

/* Add docs[0..n) with nd_add_batch.  Appends each id (None when refused)
** to ids and (index, id, exception) to failures for refused articles;
** `base` is the index of docs[0] in the caller's iterable.  Returns 0, or
** -1 with an exception set (a failure that stopped the batch). */
static int add_chunk(IndexObject *self, const nd_doc *docs, size_t n, size_t base, PyObject *ids,
                     PyObject *failures) {
  nd_add_result *res = PyMem_Calloc(n, sizeof *res);
  added *out = PyMem_Calloc(n, sizeof *out);
  if (!res || !out) {
    PyMem_Free(res);
    PyMem_Free(out);
    PyErr_NoMemory();
    return -1;
  }
  ndfail f;
  int rc, oom = 0;
  if (ix_lock(self)) {
    PyMem_Free(res);
    PyMem_Free(out);
    return -1;
  }
  Py_BEGIN_ALLOW_THREADS
  rc = nd_add_batch(self->ix, docs, n, res);
  if (rc) fail_capture(&f, self->ix, rc);
  for (size_t i = 0; i < n; i++) {
    out[i].status = res[i].status;
    out[i].id = dup_or_null(res[i].id);
    out[i].msg = dup_or_null(res[i].message);
    if ((res[i].id && !out[i].id) || (res[i].message && !out[i].msg)) oom = 1;
  }
  Py_END_ALLOW_THREADS
  ix_unlock(self);
  PyMem_Free(res);
  int r = 0;
  if (oom) {
    PyErr_NoMemory();
    r = -1;
  }
  for (size_t i = 0; i < n && !r; i++) {
    if (out[i].status == ND_OK) {
      PyObject *s = str_of(out[i].id ? out[i].id : "");
      if (!s || PyList_Append(ids, s)) r = -1;
      Py_XDECREF(s);
    } else if (out[i].status == ND_ERR_INVALID || out[i].status == ND_ERR_LIMIT) {
      PyObject *exc = error_new(out[i].status, out[i].msg);
      /* The library may refuse an article before it knows its id. */
      const char *id = out[i].id ? out[i].id : docs[i].id;
      PyObject *t = exc ? Py_BuildValue("(nNO)", (Py_ssize_t)(base + i), opt_str(id), exc) : NULL;
      if (!t || PyList_Append(failures, t) || PyList_Append(ids, Py_None)) r = -1;
      Py_XDECREF(t);
      Py_XDECREF(exc);
    }
  }
  for (size_t i = 0; i < n; i++) {
    free(out[i].id);
    free(out[i].msg);
  }
  PyMem_Free(out);
  if (!r && rc) {
    raise_fail(&f, NULL);
    r = -1;
  }
  return r;
}

/* add(iterable): batches of BATCH_DOCS articles (or BATCH_BYTES of body). */
static PyObject *add_many(IndexObject *self, PyObject *iterable, int raise) {
  PyObject *it = PyObject_GetIter(iterable);
  if (!it) {
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "add() takes an article (a dict) or an iterable of articles, not %.100s",
                   Py_TYPE(iterable)->tp_name);
    }
    return NULL;
  }
  PyObject *ids = PyList_New(0), *failures = PyList_New(0), *keep = NULL, *item;
  nd_doc *docs = PyMem_Calloc(BATCH_DOCS, sizeof *docs);
  const char **marks[BATCH_DOCS];
  size_t n = 0, base = 0, bytes = 0;
  int err = !ids || !failures || !docs;
  if (!docs) PyErr_NoMemory();
  while (!err) {
    item = PyIter_Next(it);
    if (item) {
      if (!keep && !(keep = PyList_New(0))) err = 1;
      if (!err && doc_from_mapping(item, &docs[n], &marks[n], keep)) err = 1;
      Py_DECREF(item);
      if (err) {
        /* The articles before the bad item are added, as one by one. */
        if (n) {
          PyObject *et, *ev, *etb;
          PyErr_Fetch(&et, &ev, &etb);
          if (add_chunk(self, docs, n, base, ids, failures) == 0) {
            PyErr_Restore(et, ev, etb);
          } else {
            Py_XDECREF(et);
            Py_XDECREF(ev);
            Py_XDECREF(etb);
          }
        }
        break;
      }
      bytes += docs[n].body ? strlen(docs[n].body) : 0;
      n++;
    } else if (PyErr_Occurred()) {
      err = 1;
      break;
    }
    if (n && (!item || n == BATCH_DOCS || bytes >= BATCH_BYTES)) {
      err = add_chunk(self, docs, n, base, ids, failures) != 0;
      for (size_t i = 0; i < n; i++) PyMem_Free((void *)marks[i]);
      base += n;
      n = bytes = 0;
      Py_CLEAR(keep);
    }
    if (!item) break;
  }
  for (size_t i = 0; i < n; i++) PyMem_Free((void *)marks[i]);
  PyMem_Free(docs);
  Py_XDECREF(keep);
  Py_DECREF(it);
  if (!err && raise && PyList_GET_SIZE(failures) > 0) {
    PyObject *first = PyList_GET_ITEM(failures, 0);
    PyObject *fexc = PyTuple_GET_ITEM(first, 2), *fid = PyTuple_GET_ITEM(first, 1);
    PyObject *fmsg = PyObject_Str(fexc);
    PyObject *msg = fmsg ? PyUnicode_FromFormat("%zd of %zd articles refused; the first, article %zd (id %R): %U",
                                                PyList_GET_SIZE(failures), (Py_ssize_t)base,
                                                PyLong_AsSsize_t(PyTuple_GET_ITEM(first, 0)), fid, fmsg)
                         : NULL;
    PyObject *exc = msg ? PyObject_CallFunctionObjArgs((PyObject *)Py_TYPE(fexc), msg, NULL) : NULL;
    Py_XDECREF(fmsg);
    Py_XDECREF(msg);
    if (exc && (set_attr(exc, "status", PyObject_GetAttrString(fexc, "status")) ||
                PyObject_SetAttrString(exc, "index", PyTuple_GET_ITEM(first, 0)) ||
                PyObject_SetAttrString(exc, "id", fid) || PyObject_SetAttrString(exc, "failures", failures) ||
                PyObject_SetAttrString(exc, "ids", ids)))
      Py_CLEAR(exc);
    raise_exc(exc);
    err = 1;
  }
  Py_XDECREF(failures);
  if (err) {
    Py_XDECREF(ids);
    return NULL;
  }
  return ids;
}

static PyObject *index_add(PyObject *op, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"articles", "errors", NULL};
  IndexObject *self = (IndexObject *)op;
  PyObject *arg;
  const char *errors = "raise";
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|$s:add", kwlist, &arg, &errors)) return NULL;
  int raise = !strcmp(errors, "raise");
  if (!raise && strcmp(errors, "ignore")) {
    PyErr_Format(PyExc_ValueError, "errors must be 'raise' or 'ignore', not '%s'", errors);
    return NULL;
  }
  if (!self->ix) {
    PyErr_SetString(PyExc_ValueError, "operation on a closed newsdex.Index");
    return NULL;
  }
  if (is_article(arg)) return add_one(self, arg);
  if (PyUnicode_Check(arg) || PyBytes_Check(arg)) {
    PyErr_SetString(PyExc_TypeError, "add() takes an article (a dict) or an iterable of articles, not a string");
    return NULL;
  }
  return add_many(self, arg, raise);
}

/* ---- links ---- */

/* Topics of a doc given as a mapping; ix may be NULL (text only). */
static PyObject *link_mapping(IndexObject *self, PyObject *m, size_t k) {
  PyObject *keep = PyList_New(0);
  if (!keep) return NULL;
  nd_doc doc;
  const char **marked = NULL;
  if (doc_from_mapping(m, &doc, &marked, keep)) {
    Py_DECREF(keep);
    return NULL;
  }
  nd_link_options lo = {.k = k};
  nd_links *l = NULL;
  ndfail f;
  int rc;
  if (self && ix_lock(self)) {
    PyMem_Free((void *)marked);
    Py_DECREF(keep);
    return NULL;
  }
  nd_index *ix = self ? self->ix : NULL;
  Py_BEGIN_ALLOW_THREADS
  rc = nd_link_doc(ix, &doc, &lo, &l);
  if (rc) fail_capture(&f, ix, rc);
  Py_END_ALLOW_THREADS
  if (self) ix_unlock(self);
  PyObject *r = NULL;
  if (rc) {
    nd_links_free(l);
    raise_fail(&f, NULL);
  } else {
    r = links_to_list(l, doc.body ? doc.body : "");
  }
  PyMem_Free((void *)marked);
  Py_DECREF(keep);
  return r;
}

/* Topics of a stored article (nd_link_id is nd_get + nd_link_doc; done
** here in two steps to keep the body for the offsets). */
static PyObject *link_stored(IndexObject *self, PyObject *id, size_t k) {
  const char *cid = arg_utf8(id, "the id");
  if (!cid) return NULL;
  nd_link_options lo = {.k = k};
  nd_document *d = NULL;
  nd_links *l = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) return NULL;
  IX_CALL(self, f, rc, (rc = nd_get(self->ix, cid, &d)) ? rc : nd_link_doc(self->ix, nd_document_doc(d), &lo, &l));
  PyObject *r = NULL;
  if (rc) {
    nd_links_free(l);
    raise_fail(&f, NULL);
  } else {
    const char *body = nd_document_doc(d)->body;
    r = links_to_list(l, body ? body : "");
  }
  nd_document_free(d);
  return r;
}

static int parse_k(Py_ssize_t k) {
  if (k < 1 || k > 1000) {
    PyErr_SetString(PyExc_ValueError, "k must be between 1 and 1000");
    return -1;
  }
  return 0;
}

static PyObject *index_links(PyObject *op, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"article", "k", NULL};
  PyObject *a;
  Py_ssize_t k = 3;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|n:links", kwlist, &a, &k) || parse_k(k)) return NULL;
  if (PyUnicode_Check(a)) return link_stored((IndexObject *)op, a, (size_t)k);
  return link_mapping((IndexObject *)op, a, (size_t)k);
}

/* What a Document or Thread reads from its Index when first asked:
** fetch(op) the first time, the same object after. */
static PyObject *rec_cached(PyObject *op, PyObject *(*fetch)(PyObject *)) {
  LinkedRecord *self = (LinkedRecord *)op;
  if (!self->cache) {
    /* Another thread may fill the cache while this one reads (the GIL is
    ** released meanwhile): the first result is kept. */
    PyObject *v = fetch(op);
    if (!v) return NULL;
    if (!self->cache) self->cache = v;
    else Py_DECREF(v);
  }
  Py_INCREF(self->cache);
  return self->cache;
}

static PyObject *doc_fetch_links(PyObject *op) {
  return link_mapping((IndexObject *)((LinkedRecord *)op)->index, op, 3);
}

static PyObject *doc_links(PyObject *op, void *Py_UNUSED(closure)) {
  PyObject *l = rec_cached(op, doc_fetch_links);
  if (!l) return NULL;
  PyObject *copy = PyList_GetSlice(l, 0, PyList_GET_SIZE(l));
  Py_DECREF(l);
  return copy;
}

/* ---- stories: versions and threads ---- */

/* Results holding every hit of res (nd_versions, nd_thread_articles);
** frees res.  what: the id or key asked for, as Results.query. */
static PyObject *all_results(nd_results *res, PyObject *what) {
  return results_from(res, NULL, what, 0, nd_results_count(res));
}

typedef int (*members_fn)(nd_index *, const char *, nd_results **);

/* The articles nd_versions() or nd_thread_articles() give for arg (an id
** or a thread key), as Results. */
static PyObject *members_call(IndexObject *self, PyObject *arg, const char *what, members_fn fn) {
  const char *c = arg_utf8(arg, what);
  if (!c) return NULL;
  nd_results *res = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) return NULL;
  IX_CALL(self, f, rc, fn(self->ix, c, &res));
  if (rc) {
    nd_results_free(res);
    return raise_fail(&f, NULL);
  }
  return all_results(res, arg);
}

static PyObject *index_versions(PyObject *op, PyObject *id) {
  return members_call((IndexObject *)op, id, "the id", nd_versions);
}

/* A Thread from the library's; index: the Index it came from. */
static PyObject *thread_from(const nd_thread *t, PyObject *index) {
  Record *r = linked_new(&ThreadType, index);
  if (!r) return NULL;
  r->v[0] = str_of(t->key);
  r->v[1] = opt_str(t->headline);
  r->v[2] = opt_str(t->first_id);
  r->v[3] = opt_str(t->from);
  r->v[4] = opt_str(t->to);
  r->v[5] = PyLong_FromUnsignedLongLong(t->articles);
  r->v[6] = PyLong_FromUnsignedLongLong(t->stories);
  r->v[7] = counts_list(t->sources, t->nsources);
  return rec_done(r);
}

static PyObject *thread_fetch_hits(PyObject *op) {
  LinkedRecord *t = (LinkedRecord *)op;
  return members_call((IndexObject *)t->index, t->r.v[0], "the key", nd_thread_articles);
}

static PyObject *thread_hits(PyObject *op, void *Py_UNUSED(closure)) { return rec_cached(op, thread_fetch_hits); }

/* from_= or to= of threads(): None, a str, or a date or datetime (its
** isoformat()); the UTF-8 in *out lives as long as keep. */
static int period_arg(PyObject *v, const char *what, PyObject *keep, const char **out) {
  *out = NULL;
  if (v == Py_None) return 0;
  if (!PyUnicode_Check(v) && !PyDate_Check(v)) {
    PyErr_Format(PyExc_TypeError, "%s must be a date str (YYYY, YYYY-MM, YYYY-MM-DD), a date or None, not %.100s",
                 what, Py_TYPE(v)->tp_name);
    return -1;
  }
  PyObject *s = PyUnicode_Check(v) ? (Py_INCREF(v), v) : PyObject_CallMethod(v, "isoformat", NULL);
  if (!s) return -1;
  int bad = PyList_Append(keep, s);
  Py_DECREF(s);
  return bad || !(*out = arg_utf8(s, what)) ? -1 : 0;
}

static PyObject *index_threads(PyObject *op, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"from_", "to", "limit", "min_articles", NULL};
  IndexObject *self = (IndexObject *)op;
  PyObject *from = Py_None, *to = Py_None, *keep;
  Py_ssize_t limit = 10, min_articles = 2;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "|OOnn:threads", kwlist, &from, &to, &limit, &min_articles)) return NULL;
  if (limit < 1 || min_articles < 1) {
    PyErr_SetString(PyExc_ValueError, "limit and min_articles must be at least 1");
    return NULL;
  }
  nd_thread_options o = {.limit = (size_t)limit, .min_articles = (size_t)min_articles};
  if (!(keep = PyList_New(0)) || period_arg(from, "from_", keep, &o.from) || period_arg(to, "to", keep, &o.to) ||
      ix_lock(self)) {
    Py_XDECREF(keep);
    return NULL;
  }
  nd_threads *t = NULL;
  ndfail f;
  int rc;
  IX_CALL(self, f, rc, nd_threads_list(self->ix, &o, &t));
  Py_DECREF(keep);
  if (rc) {
    nd_threads_free(t);
    return raise_fail(&f, NULL);
  }
  size_t n = nd_threads_count(t);
  PyObject *l = PyList_New((Py_ssize_t)n);
  for (size_t i = 0; l && i < n; i++) {
    nd_thread th;
    PyObject *item = nd_threads_item(t, i, &th) == ND_OK ? thread_from(&th, op) : NULL;
    if (!item) Py_CLEAR(l);
    else PyList_SET_ITEM(l, (Py_ssize_t)i, item);
  }
  nd_threads_free(t);
  return l;
}

static PyObject *index_thread(PyObject *op, PyObject *key) {
  IndexObject *self = (IndexObject *)op;
  const char *k = arg_utf8(key, "the key");
  if (!k) return NULL;
  nd_threads *t = NULL;
  nd_results *res = NULL;
  ndfail f;
  int rc;
  if (ix_lock(self)) return NULL;
  IX_CALL(self, f, rc, (rc = nd_thread_get(self->ix, k, &t)) ? rc : nd_thread_articles(self->ix, k, &res));
  if (rc) {
    nd_threads_free(t);
    nd_results_free(res);
    return raise_fail(&f, NULL);
  }
  nd_thread th;
  PyObject *o = nd_threads_item(t, 0, &th) == ND_OK ? thread_from(&th, op) : NULL;
  nd_threads_free(t);
  PyObject *hits = all_results(res, o ? ((Record *)o)->v[0] : key);
  if (!o || !hits) {
    Py_XDECREF(o);
    Py_XDECREF(hits);
    return NULL;
  }
  ((LinkedRecord *)o)->cache = hits;
  return o;
}

/* ---- stats, check ---- */

static PyObject *index_stats(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  IndexObject *self = (IndexObject *)op;
  nd_stats s;
  ndfail f;
  int rc;
  char language[64] = "";
  if (ix_lock(self)) return NULL;
  Py_BEGIN_ALLOW_THREADS
  rc = nd_stats_get(self->ix, &s);
  if (rc) fail_capture(&f, self->ix, rc);
  else snprintf(language, sizeof language, "%s", s.language ? s.language : "");
  Py_END_ALLOW_THREADS
  ix_unlock(self);
  if (rc) return raise_fail(&f, NULL);
  return Py_BuildValue("{sKsKsKsKsKsKsKss}", "articles", (unsigned long long)s.articles, "deleted",
                       (unsigned long long)s.deleted, "segments", (unsigned long long)s.segments, "terms",
                       (unsigned long long)s.terms, "bytes", (unsigned long long)s.bytes, "stored_bytes",
                       (unsigned long long)s.stored_bytes, "generation", (unsigned long long)s.generation,
                       "language", language);
}

static Py_ssize_t index_length(PyObject *op) {
  PyObject *s = index_stats(op, NULL);
  if (!s) return -1;
  PyObject *n = PyDict_GetItemString(s, "articles");
  Py_ssize_t r = n ? PyLong_AsSsize_t(n) : -1;
  Py_DECREF(s);
  return r;
}

/* Problems reported by nd_check, gathered without the GIL. */
typedef struct problems {
  char **lines;
  size_t n, cap;
  int oom;
} problems;

static void on_problem(void *ctx, const char *line) {
  problems *p = ctx;
  if (p->oom) return;
  if (p->n == p->cap) {
    size_t cap = p->cap ? p->cap * 2 : 16;
    char **l = realloc(p->lines, cap * sizeof *l);
    if (!l) {
      p->oom = 1;
      return;
    }
    p->lines = l;
    p->cap = cap;
  }
  if (!(p->lines[p->n] = dup_or_null(line))) p->oom = 1;
  else p->n++;
}

static PyObject *check_path(PyObject *path) {
  PyObject *bytes = NULL;
  if (!PyUnicode_FSConverter(path, &bytes)) return NULL;
  const char *cpath = PyBytes_AS_STRING(bytes);
  problems p = {NULL, 0, 0, 0};
  nd_check_report rep;
  memset(&rep, 0, sizeof rep);
  int rc;
  Py_BEGIN_ALLOW_THREADS
  rc = nd_check(cpath, on_problem, &p, &rep);
  Py_END_ALLOW_THREADS
  Py_DECREF(bytes);
  PyObject *r = NULL, *lines = NULL;
  if (p.oom) {
    PyErr_NoMemory();
  } else if (rc != ND_OK && rc != ND_ERR_CORRUPT) {
    raise_exc(error_new(rc, p.n ? p.lines[0] : NULL));
  } else if ((lines = PyList_New((Py_ssize_t)p.n))) {
    for (size_t i = 0; lines && i < p.n; i++) {
      PyObject *s = str_of(p.lines[i]);
      if (!s) Py_CLEAR(lines);
      else PyList_SET_ITEM(lines, (Py_ssize_t)i, s);
    }
    if (lines)
      r = Py_BuildValue("{sOsKsKsKsKsKsKsKsKsKsO}", "ok", rep.problems ? Py_False : Py_True, "segments", (unsigned long long)rep.segments, "terms",
                        (unsigned long long)rep.terms, "postings", (unsigned long long)rep.postings, "positions",
                        (unsigned long long)rep.positions, "articles", (unsigned long long)rep.articles, "deleted",
                        (unsigned long long)rep.deleted, "stored_blocks", (unsigned long long)rep.stored_blocks,
                        "bytes", (unsigned long long)rep.bytes, "problems", (unsigned long long)rep.problems,
                        "details", lines);
  }
  Py_XDECREF(lines);
  for (size_t i = 0; i < p.n; i++) free(p.lines[i]);
  free(p.lines);
  return r;
}

#define CHECK_DOC                                                                                              \
  "Verify every file and invariant of the archive without changing it or taking the writer lock\n"           \
  "(one pass over the archive).  Returns a dict: ok (True when no problem was found), segments,\n"           \
  "terms, postings, positions, articles, deleted, stored_blocks, bytes (what was read), problems\n"          \
  "(how many were found) and details (one str per problem naming the file and where, at most 50\n"          \
  "per segment).  A damaged archive is reported, not raised; a missing one raises NotFoundError."

static PyObject *index_check(PyObject *op, PyObject *Py_UNUSED(ignored)) {
  IndexObject *self = (IndexObject *)op;
  if (!self->ix) {
    PyErr_SetString(PyExc_ValueError, "operation on a closed newsdex.Index");
    return NULL;
  }
  return check_path(self->path);
}

static PyObject *index_repr(PyObject *op) {
  IndexObject *self = (IndexObject *)op;
  if (!self->path) return PyUnicode_FromString("<newsdex.Index (not opened)>");
  return PyUnicode_FromFormat("<newsdex.Index %R %s>", self->path,
                              !self->ix ? "closed" : self->writable ? "writable" : "read-only");
}

static PyObject *index_get_closed(PyObject *op, void *Py_UNUSED(c)) { return PyBool_FromLong(!((IndexObject *)op)->ix); }

static PyObject *index_get_writable(PyObject *op, void *Py_UNUSED(c)) {
  return PyBool_FromLong(((IndexObject *)op)->writable);
}

static PyObject *index_get_path(PyObject *op, void *Py_UNUSED(c)) {
  PyObject *p = ((IndexObject *)op)->path;
  if (!p) p = Py_None;
  Py_INCREF(p);
  return p;
}

static PyMethodDef index_methods[] = {
    {"close", index_close, METH_NOARGS,
     "close($self, /)\n--\n\nClose the handle.  Uncommitted changes are discarded.  Closing twice is harmless; any "
     "other call on a closed index raises ValueError."},
    {"__enter__", index_enter, METH_NOARGS, "__enter__($self, /)\n--\n\nReturn the index itself."},
    {"__exit__", index_exit, METH_VARARGS,
     "__exit__($self, exc_type=None, exc=None, tb=None, /)\n--\n\nLeaving a with block: a writable index is committed when the block "
     "ended without an exception; then the index is closed (with an exception, uncommitted changes are "
     "discarded)."},
    {"search", (PyCFunction)(void (*)(void))index_search, METH_VARARGS | METH_KEYWORDS,
     "search($self, /, query, *, limit=10, offset=0, sort='relevance', snippets=True, snippet_chars=0, highlight=None,\n"
     "       count='exact', ids_only=False, versions='collapse', recency=None, as_of=None, facets=None,\n"
     "       facet_limit=10, histogram=None)\n--\n\n"
     "Run a query (see docs/query-language.md) and return Results.\n\n" SEARCH_DOC_OPTIONS
     "facets: field names to count over every match: 'people', 'organisations', 'places', 'topics' (key\n"
     "topics of any type) and 'source'; a single str is one field.  facet_limit: values kept per field.\n"
     "histogram: 'day', 'week', 'month' or 'year': matching articles per period.\n"
     "With versions='collapse' facets and histogram count stories (a wire story run by thirty outlets\n"
     "counts once, under its earliest matching version), with versions='all' articles.\n\n"
     "A malformed query raises QueryError (offset: where, in characters of the query)."},
    {"related", (PyCFunction)(void (*)(void))index_related, METH_VARARGS | METH_KEYWORDS,
     "related($self, /, id, *, limit=10, offset=0, sort='relevance', snippets=True, snippet_chars=0, highlight=None,\n"
     "        count='exact', ids_only=False, versions='collapse', recency=None, as_of=None)\n--\n\n"
     "The articles most like article id (its most distinctive terms run as a ranked query; the article "
     "itself left out), as Results.  NotFoundError if there is no such article.  Options as in search()."},
    {"versions", index_versions, METH_O,
     "versions($self, id, /)\n--\n\nThe versions of article id's story (wire copies and near-duplicates), itself "
     "included, as Results: the canonical one first (the earliest; the longest when dates tie), then by date.  "
     "The hits have score 0.0 and no snippet; total and len() are their number.  NotFoundError if there is no "
     "such article."},
    {"threads", (PyCFunction)(void (*)(void))index_threads, METH_VARARGS | METH_KEYWORDS,
     "threads($self, /, from_=None, to=None, limit=10, min_articles=2)\n--\n\n"
     "The largest story threads (articles about one developing story), most stories first, then most "
     "articles, then newest: a list of Thread.  from_ and to ('YYYY', 'YYYY-MM', 'YYYY-MM-DD', or a date) "
     "rank the threads by their articles dated in that range; each Thread still describes the whole thread.  "
     "limit: threads listed (at least 1); min_articles: smaller threads are left out (at least 1).  A bad "
     "date raises InvalidArgumentError."},
    {"thread", index_thread, METH_O,
     "thread($self, key, /)\n--\n\nThe thread with this key (16 hex digits, as Hit.thread) as a Thread whose "
     "hits (Results) are its articles in date order, undated last.  NotFoundError if no live article is in it; "
     "InvalidArgumentError if key is not 16 hex digits."},
    {"suggest", (PyCFunction)(void (*)(void))index_suggest, METH_VARARGS | METH_KEYWORDS,
     "suggest($self, /, prefix, limit=10)\n--\n\nCompletions of prefix from the term dictionary: a list of (term, "
     "articles) pairs, the most frequent first.  Terms are stems ('govern' for 'government')."},
    {"get", index_get, METH_O,
     "get($self, id, /)\n--\n\nThe stored article with this id, as a Document.  NotFoundError (a KeyError) if there is "
     "none."},
    {"links", (PyCFunction)(void (*)(void))index_links, METH_VARARGS | METH_KEYWORDS,
     "links($self, /, article, k=3)\n--\n\nThe key topics of an article worth a link to a search, best first (list of "
     "Topic).  article: the id of a stored article, or an article as a dict (not stored; its 'body' is "
     "required, its 'title' counts as a headline).  The archive's statistics weigh the topics."},
    {"add", (PyCFunction)(void (*)(void))index_add, METH_VARARGS | METH_KEYWORDS,
     "add($self, /, articles, *, errors='raise')\n--\n\n"
     "Add an article (a dict), replacing a stored one with the same id, and return its id; or add every "
     "article of an iterable of dicts (prepared on the index's threads, in batches) and return the list of "
     "their ids.\n\nKeys: body (the text; a title or a body is required), id (str or int; derived from the content when absent), title, "
     "date (ISO 8601), source, url, marked (list of str), extra (dict); any other key is stored as an extra "
     "field.  Changes are visible and durable after commit().\n\n"
     "A bad article raises InvalidArgumentError (LimitError when too large) and adds nothing.  For an "
     "iterable, bad articles are skipped and the others added; then errors='raise' raises the error of the "
     "first one, with attributes index, id, failures (a list of (index, id, exception)) and ids (None for "
     "each refused article), while errors='ignore' returns the ids with None for the refused articles.  An "
     "item that is not a dict, or a field of the wrong type, raises TypeError, and any other failure (out of "
     "memory, disk full...) raises at once; the articles before it were added."},
    {"delete", index_delete, METH_O,
     "delete($self, id, /)\n--\n\nDelete the article with this id (visible after commit()).  NotFoundError if there is "
     "none."},
    {"commit", index_commit, METH_NOARGS,
     "commit($self, /)\n--\n\nMake added and deleted articles durable and visible (atomically).  On failure the "
     "archive stays at its previous commit and the pending changes are discarded."},
    {"optimize", index_optimize, METH_NOARGS,
     "optimize($self, /)\n--\n\nCommit, then merge every segment into one, dropping deleted articles."},
    {"refresh", index_refresh, METH_NOARGS,
     "refresh($self, /)\n--\n\nSee commits made by other handles since this one was opened or last refreshed."},
    {"stats", index_stats, METH_NOARGS,
     "stats($self, /)\n--\n\nCounts and sizes, as a dict: articles, deleted, segments, terms, bytes, stored_bytes, "
     "generation (commit number), language."},
    {"check", index_check, METH_NOARGS, "check($self, /)\n--\n\n" CHECK_DOC},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef index_getset[] = {
    {"closed", index_get_closed, NULL, "True once close() was called.", NULL},
    {"writable", index_get_writable, NULL, "True if opened with writable=True or create=True.", NULL},
    {"path", index_get_path, NULL, "The archive's directory, as given.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PySequenceMethods index_as_sequence = {
    .sq_length = index_length,
    .sq_contains = index_contains,
};

static PyGetSetDef doc_getset[] = {
    {"links", doc_links, NULL,
     "The article's three best key topics (list of Topic), chosen with the statistics of the index it came "
     "from (which must still be open); computed when first read.  Index.links(id, k) chooses another number.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

#define REC_TYPE(NAME, STRUCT, MEMBERS, GETSET, DOC)                                                            \
  {                                                                                                             \
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "newsdex." NAME, .tp_basicsize = sizeof(STRUCT),                \
    .tp_dealloc = rec_dealloc, .tp_repr = rec_repr, .tp_as_sequence = &rec_as_sequence,                        \
    .tp_as_mapping = &rec_as_mapping, .tp_hash = PyObject_HashNotImplemented, .tp_flags = Py_TPFLAGS_DEFAULT,   \
    .tp_doc = DOC, .tp_richcompare = rec_richcompare, .tp_iter = rec_iter, .tp_methods = rec_methods,         \
    .tp_members = MEMBERS, .tp_getset = GETSET,                                                                 \
  }

static PyTypeObject HitType = REC_TYPE(
    "Hit", Record, hit_members, NULL,
    "One hit of a search: attributes id, score, title, headline, date, source, url, snippet (absent fields are "
    "None), versions (other versions of its story), story and thread (keys of its version group and story "
    "thread).\n\nA read-only mapping too: hit['title'], dict(hit), hit.to_dict(), keys(), items().");

static PyTypeObject DocumentType = REC_TYPE(
    "Document", LinkedRecord, doc_members, doc_getset,
    "A stored article, from Index.get(): attributes id, title, date, source, url, body, marked (tuple of "
    "str), extra (dict), and links (its key topics).\n\nA read-only mapping of the stored fields too (links "
    "left out), so that index.add(dict(doc)) stores it again.");

static PyGetSetDef thread_getset[] = {
    {"hits", thread_hits, NULL,
     "The thread's articles in date order (undated last), as Results; read from the index it came from (which "
     "must still be open) when first asked, unless Index.thread() read them with it.",
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyTypeObject ThreadType = REC_TYPE(
    "Thread", LinkedRecord, thread_members, thread_getset,
    "A story thread, from Index.threads() or Index.thread(): attributes key, headline (of its first "
    "article), first_id, from_ and to (dates of its first and last articles, None when undated), articles, "
    "stories (wire copies counted once), sources (a list of (source, articles), most first), and hits (its "
    "articles, as Results).\n\nA read-only mapping of the fields too (hits left out), with the key 'from' for "
    "from_: dict(thread) has the keys of the command's `newsdex threads --json`.");

static PyTypeObject TopicType = REC_TYPE(
    "Topic", Record, topic_members, NULL,
    "A key topic of an article: text, type ('person', 'organisation', 'place', 'other'), score, start and end "
    "(its first mention is body[start:end]), mentions, articles.\n\nA read-only mapping too, like Hit.");

static PyTypeObject ResultsType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "newsdex.Results",
    .tp_basicsize = sizeof(ResultsObject),
    .tp_dealloc = results_dealloc,
    .tp_repr = results_repr,
    .tp_as_sequence = &results_as_sequence,
    .tp_as_mapping = &results_as_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "What a search returned.  Iterating, len() and indexing give the hits (Hit objects, best first); "
              "total is the number of matching articles, stories their version groups, facets and histogram "
              "the counts asked for; to_dicts() gives the hits as a list of dicts.",
    .tp_iter = results_iter,
    .tp_methods = results_methods,
    .tp_members = results_members,
    .tp_getset = results_getset,
};

static PyTypeObject IndexType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "newsdex.Index",
    .tp_basicsize = sizeof(IndexObject),
    .tp_dealloc = index_dealloc,
    .tp_repr = index_repr,
    .tp_as_sequence = &index_as_sequence,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "Index(path, *, writable=False, create=False, language=None, buffer_bytes=0, merge_factor=0, "
              "threads=0, near_dup=None)\n--\n\n"
              "An open newsdex archive (a directory).  Read-only unless writable=True; create=True creates it "
              "if missing (and implies writable).  At most one writable handle per archive: a second raises "
              "LockedError.\n\n"
              "language: Snowball stemming language of a new archive ('english' by default, 'french', ..., "
              "'none').  buffer_bytes: analysed text a writer buffers before writing a segment (0: 64 MiB).  "
              "merge_factor: segments of about one size that trigger a merge (0: 10; 1: never).  threads: "
              "threads a writer uses (0: 2).  near_dup: the overlap (Jaccard of 5-word shingles, in (0, 1]) from "
              "which the articles this handle adds are versions of one story (None: 0.8).\n\n"
              "len(index) is the number of live articles, `id in index` tells if an article is stored.  "
              "An Index may be shared by threads: calls on it run one at a time, the GIL released while the "
              "library works.  Use it in a with block, or call close().",
    .tp_methods = index_methods,
    .tp_getset = index_getset,
    .tp_init = index_init,
    .tp_new = index_new,
};

/* ------------------------------------------------------------------------ */
/* Module                                                                   */
/* ------------------------------------------------------------------------ */

static PyObject *mod_check(PyObject *Py_UNUSED(mod), PyObject *path) { return check_path(path); }

static PyObject *mod_links(PyObject *Py_UNUSED(mod), PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"article", "k", NULL};
  PyObject *a;
  Py_ssize_t k = 3;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "O|n:links", kwlist, &a, &k) || parse_k(k)) return NULL;
  return link_mapping(NULL, a, (size_t)k);
}

static PyObject *mod_strerror(PyObject *Py_UNUSED(mod), PyObject *arg) {
  long status = PyLong_AsLong(arg);
  if (status == -1 && PyErr_Occurred()) return NULL;
  if (status < -1000 || status > 1000) status = -1000;
  return PyUnicode_FromString(nd_strerror((int)status));
}

static PyMethodDef module_methods[] = {
    {"check", mod_check, METH_O, "check(path, /)\n--\n\n" CHECK_DOC},
    {"links", (PyCFunction)(void (*)(void))mod_links, METH_VARARGS | METH_KEYWORDS,
     "links(article, k=3)\n--\n\nThe key topics of an article (a dict with a 'body' and maybe a 'title'), "
     "from its text alone (no archive), best first: a list of Topic."},
    {"strerror", mod_strerror, METH_O,
     "strerror(status, /)\n--\n\nThe library's text for a status code (Error.status)."},
    {NULL, NULL, 0, NULL}};

static struct PyModuleDef moduledef = {
    PyModuleDef_HEAD_INIT,
    .m_name = "newsdex._newsdex",
    .m_doc = "The C part of the newsdex package (use `import newsdex`).",
    .m_size = -1,
    .m_methods = module_methods,
};

/* One exception class: its name, the variable holding it, its bases, its doc. */
typedef struct errdef {
  const char *name;
  PyObject **slot;
  PyObject **parent; /* newsdex base (Error if NULL) */
  PyObject *extra;   /* a built-in base besides, or NULL */
  const char *doc;
} errdef;

static int add_errors(PyObject *m) {
  const errdef defs[] = {
      {"OutOfMemoryError", &OutOfMemoryError, NULL, PyExc_MemoryError, "ND_ERR_NOMEM: the library ran out of memory."},
      {"IOError", &IOErrorExc, NULL, PyExc_OSError,
       "ND_ERR_IO: a system call failed (the message names the file and the reason)."},
      {"CorruptError", &CorruptError, NULL, NULL, "ND_ERR_CORRUPT: a file of the archive is damaged."},
      {"LockedError", &LockedError, NULL, NULL,
       "ND_ERR_LOCKED: another writer holds the archive (one writable handle at a time)."},
      {"QueryError", &QueryError, NULL, PyExc_ValueError,
       "ND_ERR_QUERY: the query is malformed.  Attributes: query, offset (where the problem is, in "
       "characters of the query), byte_offset (the same in bytes of its UTF-8)."},
      {"NotFoundError", &NotFoundError, NULL, PyExc_KeyError,
       "ND_ERR_NOTFOUND: no such article, or no archive at the path.  Also a KeyError."},
      {"InvalidArgumentError", &InvalidArgumentError, NULL, PyExc_ValueError,
       "ND_ERR_INVALID: a bad argument or a bad article (neither title nor body, bad date, bad UTF-8...).  Also a "
       "ValueError."},
      {"ReadOnlyError", &ReadOnlyError, NULL, NULL,
       "ND_ERR_READONLY: a write call on an index opened read-only (open it with writable=True)."},
      {"NoSpaceError", &NoSpaceError, &IOErrorExc, NULL,
       "ND_ERR_NOSPACE: the disk is full; the archive stays at its last commit."},
      {"VersionError", &VersionError, NULL, NULL,
       "ND_ERR_VERSION: the archive was written by an incompatible version."},
      {"LimitError", &LimitError, NULL, NULL,
       "ND_ERR_LIMIT: a size or complexity limit was exceeded (e.g. a prefix matching too many terms)."},
  };
  Error = PyErr_NewExceptionWithDoc(
      "newsdex.Error",
      "Base class of the errors the newsdex library reports.  Attribute status: its ND_ERR_* code (a negative "
      "int; newsdex.strerror(status) names it).  str(error) is the library's message, naming the file, field "
      "or query position involved.",
      PyExc_Exception, NULL);
  if (!Error) return -1;
  PyObject *descr = PyDescr_NewMethod((PyTypeObject *)Error, &error_str_def);
  if (!descr || PyObject_SetAttrString(Error, "__str__", descr)) {
    Py_XDECREF(descr);
    return -1;
  }
  Py_DECREF(descr);
  Py_INCREF(Error);
  if (PyModule_AddObject(m, "Error", Error)) {
    Py_DECREF(Error);
    return -1;
  }
  for (size_t i = 0; i < sizeof defs / sizeof *defs; i++) {
    char full[64];
    snprintf(full, sizeof full, "newsdex.%s", defs[i].name);
    PyObject *parent = defs[i].parent ? *defs[i].parent : Error;
    PyObject *bases = defs[i].extra ? PyTuple_Pack(2, parent, defs[i].extra) : PyTuple_Pack(1, parent);
    if (!bases) return -1;
    *defs[i].slot = PyErr_NewExceptionWithDoc(full, defs[i].doc, bases, NULL);
    Py_DECREF(bases);
    if (!*defs[i].slot) return -1;
    Py_INCREF(*defs[i].slot);
    if (PyModule_AddObject(m, defs[i].name, *defs[i].slot)) {
      Py_DECREF(*defs[i].slot);
      return -1;
    }
  }
  return 0;
}

static int add_type(PyObject *m, PyTypeObject *t, const char *name) {
  if (PyType_Ready(t)) return -1;
  Py_INCREF(t);
  if (PyModule_AddObject(m, name, (PyObject *)t)) {
    Py_DECREF(t);
    return -1;
  }
  return 0;
}

static int make_keys(recspec *s) {
  while (s->members[s->n].name) s->n++;
  if (!s->nrepr) s->nrepr = s->n;
  if (!(s->keys = PyTuple_New(s->n))) return -1;
  for (int i = 0; i < s->n; i++) {
    PyObject *k = PyUnicode_InternFromString(s->names ? s->names[i] : s->members[i].name);
    if (!k) return -1;
    PyTuple_SET_ITEM(s->keys, i, k);
  }
  return 0;
}

PyMODINIT_FUNC PyInit__newsdex(void) {
  PyObject *m = PyModule_Create(&moduledef), *json = NULL;
  if (!m) return NULL;
  if (!(json = PyImport_ImportModule("json"))) goto fail;
  json_dumps = PyObject_GetAttrString(json, "dumps");
  json_loads = PyObject_GetAttrString(json, "loads");
  Py_DECREF(json);
  if (!json_dumps || !json_loads) goto fail;
  if (!(json_dumps_kw = Py_BuildValue("{sOs(ss)}", "ensure_ascii", Py_False, "separators", ",", ":"))) goto fail;
  PyDateTime_IMPORT;
  if (!PyDateTimeAPI) goto fail;
  if (make_keys(&HIT_SPEC) || make_keys(&DOC_SPEC) || make_keys(&TOPIC_SPEC) || make_keys(&THREAD_SPEC)) goto fail;
  if (add_errors(m) || add_type(m, &IndexType, "Index") || add_type(m, &ResultsType, "Results") ||
      add_type(m, &HitType, "Hit") || add_type(m, &DocumentType, "Document") || add_type(m, &TopicType, "Topic") ||
      add_type(m, &ThreadType, "Thread"))
    goto fail;
  if (PyModule_AddStringConstant(m, "ND_VERSION", ND_VERSION)) goto fail;
  return m;
fail:
  Py_DECREF(m);
  return NULL;
}
