/*
** mhd.h -- libmicrohttpd, loaded when the server starts.
**
** Debian's libmicrohttpd brings GnuTLS and its dependencies, whose
** initialisers run when a program that links them starts: 1.7 ms of every
** `newsdex` command's start-up on our machine (an empty C program starts
** in 0.9 ms, one linked with -lmicrohttpd in 2.6), paid by searches that
** never serve.  So the binary does not link it: `newsdex serve` loads it
** with dlopen (mhd_load) and the server's code calls the functions it uses
** through the table below, under their own names (the macros at the end).
** Its header still gives the types and constants.
*/
#ifndef ND_SERVER_MHD_H
#define ND_SERVER_MHD_H
#include <stddef.h>

#include <microhttpd.h>

typedef struct mhd_api {
  __typeof__(MHD_start_daemon) *start_daemon;
  __typeof__(MHD_stop_daemon) *stop_daemon;
  __typeof__(MHD_get_daemon_info) *get_daemon_info;
  __typeof__(MHD_get_connection_info) *get_connection_info;
  __typeof__(MHD_get_connection_values) *get_connection_values;
  __typeof__(MHD_lookup_connection_value) *lookup_connection_value;
  __typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
  __typeof__(MHD_create_response_from_fd) *create_response_from_fd;
  __typeof__(MHD_add_response_header) *add_response_header;
  __typeof__(MHD_queue_response) *queue_response;
  __typeof__(MHD_destroy_response) *destroy_response;
} mhd_api;

extern mhd_api mhd;

/* Load the library and fill `mhd`, once.  0, or -1 with a message in why. */
int mhd_load(char *why, size_t cap);

#define MHD_start_daemon (mhd.start_daemon)
#define MHD_stop_daemon (mhd.stop_daemon)
#define MHD_get_daemon_info (mhd.get_daemon_info)
#define MHD_get_connection_info (mhd.get_connection_info)
#define MHD_get_connection_values (mhd.get_connection_values)
#define MHD_lookup_connection_value (mhd.lookup_connection_value)
#define MHD_create_response_from_buffer (mhd.create_response_from_buffer)
#define MHD_create_response_from_fd (mhd.create_response_from_fd)
#define MHD_add_response_header (mhd.add_response_header)
#define MHD_queue_response (mhd.queue_response)
#define MHD_destroy_response (mhd.destroy_response)

#endif
