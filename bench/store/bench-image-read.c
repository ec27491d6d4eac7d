/* bench-image-read.c: how long decoding a stored page takes, pixRead() against
 * pe_store_read_image() (and, for scale, libspng alone and libdeflate inflating the image
 * data alone). Prints one JSON object; see bench/store/README.md.
 *
 *   pe-bench-image-read [--repeat N] FILE…
 *
 * Times are the calling thread's CPU time, the fastest of N runs (default 3): the machine is
 * shared, and CPU time is what the pipeline's budget counts. Each run reads the file again
 * (from the page cache), as the clean worker does.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>
#include <libdeflate.h>
#ifdef HAVE_SPNG
# include <spng.h>
#endif

#include "pe-types.h"
#include "pe-image-read.h"

/* CPU time of this thread in ms: on a shared machine far steadier than the wall clock. */
static double
thread_cpu_ms (void)
{
  return pe_thread_cpu_seconds () * 1e3;
}

static guint32
be32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

/* libdeflate alone on the file's IDAT data; -1 if it is not a PNG this can take. */
static double
inflate_ms (const char *path)
{
  g_autofree guint8 *data = NULL;
  g_autofree guint8 *idat = NULL;
  g_autofree guint8 *raw = NULL;
  gsize len = 0, at = 0, pos = 8, raw_len = 0;
  struct libdeflate_decompressor *d;
  double t0, ms;
  int r;

  t0 = thread_cpu_ms ();
  if (!g_file_get_contents (path, (char **) &data, &len, NULL) || len < 8
      || memcmp (data + 1, "PNG", 3) != 0)
    return -1;
  idat = g_malloc (len);
  while (pos + 12 <= len)
    {
      guint32 clen = be32 (data + pos);

      if (clen > len - pos - 12)
        return -1;
      if (memcmp (data + pos + 4, "IHDR", 4) == 0)
        {
          guint32 w = be32 (data + pos + 8), h = be32 (data + pos + 12);
          guint bits = data[pos + 16] * (data[pos + 17] == 2 ? 3 : data[pos + 17] == 6 ? 4 : 1);

          raw_len = (gsize) h * (1 + ((gsize) w * bits + 7) / 8);
        }
      else if (memcmp (data + pos + 4, "IDAT", 4) == 0)
        {
          memcpy (idat + at, data + pos + 8, clen);
          at += clen;
        }
      pos += 12 + clen;
    }
  raw = g_malloc (raw_len);
  d = libdeflate_alloc_decompressor ();
  r = libdeflate_zlib_decompress (d, idat, at, raw, raw_len, NULL);
  libdeflate_free_decompressor (d);
  ms = thread_cpu_ms () - t0;
  return r == LIBDEFLATE_SUCCESS ? ms : -1;
}

#ifdef HAVE_SPNG
/* libspng to a plain RGB8 or G8 buffer (for 1-bit too: it has no 1-bit output), no PIX. */
static double
spng_ms (const char *path)
{
  g_autofree char *data = NULL;
  g_autofree guint8 *out = NULL;
  struct spng_ihdr ihdr;
  gsize len = 0;
  size_t out_len = 0;
  spng_ctx *ctx;
  double t0, ms;
  int fmt, r;

  t0 = thread_cpu_ms ();
  if (!g_file_get_contents (path, &data, &len, NULL))
    return -1;
  ctx = spng_ctx_new (0);
  spng_set_png_buffer (ctx, data, len);
  r = spng_get_ihdr (ctx, &ihdr);
  fmt = ihdr.color_type == SPNG_COLOR_TYPE_GRAYSCALE ? SPNG_FMT_G8 : SPNG_FMT_RGB8;
  if (r == 0)
    r = spng_decoded_image_size (ctx, fmt, &out_len);
  if (r == 0)
    {
      out = g_malloc (out_len);
      r = spng_decode_image (ctx, out, out_len, fmt, 0);
    }
  spng_ctx_free (ctx);
  ms = thread_cpu_ms () - t0;
  return r == 0 ? ms : -1;
}
#endif

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  int repeat = 3;
  double sum_lept = 0, sum_ours = 0, sum_spng = 0, sum_inflate = 0;
  gboolean all_equal = TRUE;
  guint n = 0;
  GOptionEntry entries[] = {
    { "repeat", 0, 0, G_OPTION_ARG_INT, &repeat, "Runs per file; the fastest counts", "N" },
    { NULL }
  };

  context = g_option_context_new ("FILE… — time pixRead() against pe_store_read_image()");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc < 2 || repeat < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "usage: pe-bench-image-read FILE…");
      return 2;
    }

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "files");
  json_builder_begin_array (b);
  for (int i = 1; i < argc; i++)
    {
      double best_lept = G_MAXDOUBLE, best_ours = G_MAXDOUBLE;
      double best_spng = G_MAXDOUBLE, best_inflate = G_MAXDOUBLE;
      gboolean equal = FALSE;

      for (int r = 0; r < repeat; r++)
        {
          g_autoptr(PIX) lept = NULL;
          g_autoptr(PIX) ours = NULL;
          g_autoptr(GError) read_error = NULL;
          double t0;

          t0 = thread_cpu_ms ();
          lept = pixRead (argv[i]);
          best_lept = MIN (best_lept, thread_cpu_ms () - t0);

          t0 = thread_cpu_ms ();
          ours = pe_store_read_image (argv[i], &read_error);
          best_ours = MIN (best_ours, thread_cpu_ms () - t0);
          if (ours == NULL)
            g_printerr ("%s: %s\n", argv[i], read_error->message);

          if (r == 0)
            {
              l_int32 same = 0;

              equal = lept != NULL && ours != NULL && pixEqual (lept, ours, &same) == 0 && same
                      && pixGetXRes (lept) == pixGetXRes (ours)
                      && pixGetYRes (lept) == pixGetYRes (ours)
                      && pixGetSpp (lept) == pixGetSpp (ours);
            }
          best_inflate = MIN (best_inflate, inflate_ms (argv[i]));
#ifdef HAVE_SPNG
          best_spng = MIN (best_spng, spng_ms (argv[i]));
#endif
        }

      json_builder_begin_object (b);
      json_builder_set_member_name (b, "file");
      json_builder_add_string_value (b, argv[i]);
      json_builder_set_member_name (b, "pixread_cpu_ms");
      json_builder_add_double_value (b, best_lept);
      json_builder_set_member_name (b, "pe_store_read_image_cpu_ms");
      json_builder_add_double_value (b, best_ours);
      if (best_spng != G_MAXDOUBLE)
        {
          json_builder_set_member_name (b, "libspng_cpu_ms");
          json_builder_add_double_value (b, best_spng);
          sum_spng += best_spng;
        }
      json_builder_set_member_name (b, "libdeflate_inflate_only_cpu_ms");
      json_builder_add_double_value (b, best_inflate);
      json_builder_set_member_name (b, "equal");
      json_builder_add_boolean_value (b, equal);
      json_builder_end_object (b);

      sum_lept += best_lept;
      sum_ours += best_ours;
      sum_inflate += MAX (best_inflate, 0);
      all_equal = all_equal && equal;
      n++;
    }
  json_builder_end_array (b);

  json_builder_set_member_name (b, "n_files");
  json_builder_add_int_value (b, n);
  json_builder_set_member_name (b, "total_pixread_cpu_ms");
  json_builder_add_double_value (b, sum_lept);
  json_builder_set_member_name (b, "total_pe_store_read_image_cpu_ms");
  json_builder_add_double_value (b, sum_ours);
#ifdef HAVE_SPNG
  json_builder_set_member_name (b, "total_libspng_cpu_ms");
  json_builder_add_double_value (b, sum_spng);
#endif
  json_builder_set_member_name (b, "total_libdeflate_inflate_only_cpu_ms");
  json_builder_add_double_value (b, sum_inflate);
  json_builder_set_member_name (b, "speedup");
  json_builder_add_double_value (b, sum_ours > 0 ? sum_lept / sum_ours : 0);
  json_builder_set_member_name (b, "all_equal");
  json_builder_add_boolean_value (b, all_equal);
  json_builder_end_object (b);

  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, NULL);
  g_print ("%s\n", text);
  return all_equal ? 0 : 1;
}
