/* test-ocr.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <locale.h>
#include <math.h>
#if HAVE_OPENMP
# include <omp.h>
#endif

#include "pe-error.h"
#include "pe-ocr-engine.h"
#include "pe-ocr-pool.h"
#include "pe-ocr-result.h"
#include "pe-test-common.h"
#include "pe-types.h"

/* The sample stack: 200 dpi A4 letters, p0002/4/6 are separator sheets. */
#define N_SAMPLE_PAGES 7
#define SAMPLE_WIDTH   1654
#define SAMPLE_HEIGHT  2339

/* Issue 2: "OCR of a page from the sample with CER ≤ 3 %". */
#define MAX_CER 3.0

static char *
sample_path (const char *name)
{
  const char *root = g_getenv ("PE_SOURCE_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "data", "sample", name, NULL);
}

static char *
page_name (guint index)
{
  return g_strdup_printf ("p%04u", index);
}

static PIX *
read_page (guint index)
{
  g_autofree char *name = g_strdup_printf ("pages/p%04u.png", index);
  g_autofree char *path = sample_path (name);
  PIX *pix = pixRead (path);

  g_assert_nonnull (pix);
  return pix;
}

static JsonObject *
truth_page (guint index)
{
  static JsonParser *parser = NULL;
  JsonArray *pages;
  JsonObject *page;

  if (parser == NULL)
    {
      g_autofree char *path = sample_path ("truth.json");
      g_autoptr(GError) error = NULL;

      parser = json_parser_new ();
      json_parser_load_from_file (parser, path, &error);
      g_assert_no_error (error);
    }

  pages = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                        "pages");
  page = json_array_get_object_element (pages, index - 1);
  g_assert_cmpint (json_object_get_int_member (page, "index"), ==, index);
  return page;
}

static gboolean
is_content_page (guint index)
{
  return g_str_equal (json_object_get_string_member (truth_page (index), "kind"), "content");
}

/* Words of the truth that OCR must find: long plain words of the page's lines, which a
 * correct reading cannot miss. */
static GPtrArray *
truth_words (guint index)
{
  JsonArray *lines = json_object_get_array_member (truth_page (index), "lines");
  GPtrArray *words = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (lines); i++)
    {
      g_auto(GStrv) split = g_strsplit (json_array_get_string_element (lines, i), " ", -1);

      for (guint j = 0; split[j] != NULL; j++)
        {
          gboolean plain = g_utf8_strlen (split[j], -1) >= 8;

          for (const char *p = split[j]; plain && *p != '\0'; p = g_utf8_next_char (p))
            plain = g_unichar_isalpha (g_utf8_get_char (p));
          if (plain)
            g_ptr_array_add (words, g_strdup (split[j]));
        }
    }

  return words;
}

static gboolean
result_has_word (PeOcrResult *result,
                 const char  *text)
{
  for (guint i = 0; i < pe_ocr_result_get_n_words (result); i++)
    {
      if (g_str_equal (pe_ocr_result_get_word (result, i)->text, text))
        return TRUE;
    }
  return FALSE;
}

static guint
count_lines (PeOcrResult *result)
{
  g_autoptr(GHashTable) lines = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  for (guint i = 0; i < pe_ocr_result_get_n_words (result); i++)
    {
      const PeOcrWord *w = pe_ocr_result_get_word (result, i);

      g_hash_table_add (lines, g_strdup_printf ("%u.%u.%u", w->block, w->par, w->line));
    }
  return g_hash_table_size (lines);
}

static void
assert_sane_words (PeOcrResult *result,
                   guint        width,
                   guint        height)
{
  g_assert_cmpuint (pe_ocr_result_get_width (result), ==, width);
  g_assert_cmpuint (pe_ocr_result_get_height (result), ==, height);

  for (guint i = 0; i < pe_ocr_result_get_n_words (result); i++)
    {
      const PeOcrWord *w = pe_ocr_result_get_word (result, i);

      g_assert_nonnull (w->text);
      g_assert_cmpstr (w->text, !=, "");
      g_assert_true (g_utf8_validate (w->text, -1, NULL));
      g_assert_cmpint (w->x, >=, 0);
      g_assert_cmpint (w->y, >=, 0);
      g_assert_cmpint (w->width, >, 0);
      g_assert_cmpint (w->height, >, 0);
      g_assert_cmpint (w->x + w->width, <=, (int) width);
      g_assert_cmpint (w->y + w->height, <=, (int) height);
      g_assert_cmpfloat (w->conf, >=, 0);
      g_assert_cmpfloat (w->conf, <=, 100);
      g_assert_cmpuint (w->block, >=, 1);
      g_assert_cmpuint (w->par, >=, 1);
      g_assert_cmpuint (w->line, >=, 1);
      g_assert_cmpuint (w->word, >=, 1);
    }
}

static void
write_text (const char  *dir,
            guint        index,
            PeOcrResult *result)
{
  g_autofree char *name = g_strdup_printf ("p%04u.txt", index);
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *text = pe_ocr_result_get_text (result);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, text, -1, &error);
  g_assert_no_error (error);
}

/* Runs tools/ocr-cer; returns the overall CER and, with --per-page, its per-page lines. */
static double
run_ocr_cer (const char  *truth,
             const char  *textdir,
             char       **per_page)
{
  g_autofree char *tool = pe_test_tool_path ("ocr-cer");
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *argv[] = { tool, truth, textdir, "--per-page", NULL };
  g_autoptr(GRegex) regex = g_regex_new ("^CER ([0-9.]+)% over ([0-9]+) pages", G_REGEX_MULTILINE,
                                         0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *cer = NULL;

  if (pe_test_run (argv, &out, &err) != 0)
    g_error ("ocr-cer failed: %s", err);

  g_test_message ("ocr-cer: %s", out);
  g_assert_true (g_regex_match (regex, out, 0, &match));
  cer = g_match_info_fetch (match, 1);

  if (per_page != NULL)
    *per_page = g_steal_pointer (&out);
  return g_ascii_strtod (cer, NULL);
}

static double
per_page_cer (const char *per_page,
              guint       index)
{
  g_autofree char *pattern = g_strdup_printf ("^pages/p%04u\\.png .* CER ([0-9.]+)%%$", index);
  g_autoptr(GRegex) regex = g_regex_new (pattern, G_REGEX_MULTILINE, 0, NULL);
  g_autoptr(GMatchInfo) match = NULL;
  g_autofree char *cer = NULL;

  g_assert_true (g_regex_match (regex, per_page, 0, &match));
  cer = g_match_info_fetch (match, 1);
  return g_ascii_strtod (cer, NULL);
}

/* truth.json cut to one page, so ocr-cer measures that page alone. */
static char *
write_truth_for_page (const char *dir,
                      guint       index)
{
  g_autofree char *src = sample_path ("truth.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonArray) kept = json_array_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_strdup_printf ("pages/p%04u.png", index);
  char *path = g_build_filename (dir, "truth.json", NULL);
  JsonObject *root;
  JsonArray *pages;

  json_parser_load_from_file (parser, src, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));
  pages = json_object_get_array_member (root, "pages");
  for (guint i = 0; i < json_array_get_length (pages); i++)
    {
      JsonNode *node = json_array_get_element (pages, i);

      if (g_str_equal (json_object_get_string_member (json_node_get_object (node), "file"), file))
        json_array_add_element (kept, json_node_copy (node));
    }
  g_assert_cmpuint (json_array_get_length (kept), ==, 1);
  json_object_set_array_member (root, "pages", g_steal_pointer (&kept));

  json_generator_set_root (generator, json_parser_get_root (parser));
  json_generator_to_file (generator, path, &error);
  g_assert_no_error (error);

  return path;
}

/* p0001 read once by a fresh engine; several tests look at it. */
static PeOcrResult *
p0001_result (void)
{
  static PeOcrResult *result = NULL;

  if (result == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PeOcrEngine) engine = pe_ocr_engine_new ("deu", &error);
      g_autoptr(PIX) pix = read_page (1);
      gint64 start;

      g_assert_no_error (error);
      g_assert_cmpstr (pe_ocr_engine_get_languages (engine), ==, "deu");

      start = g_get_monotonic_time ();
      result = pe_ocr_engine_recognize (engine, pix, NULL, &error);
      g_assert_no_error (error);
      g_assert_nonnull (result);
      g_test_message ("p0001: %u words in %.2f s", pe_ocr_result_get_n_words (result),
                      (g_get_monotonic_time () - start) / 1e6);
    }

  return result;
}

static void
test_engine_clean_page (void)
{
  PeOcrResult *result = p0001_result ();
  g_autoptr(GPtrArray) words = truth_words (1);
  g_autofree char *text = pe_ocr_result_get_text (result);
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *truth = NULL;
  g_autofree char *per_page = NULL;
  guint found = 0;
  double cer;

  assert_sane_words (result, SAMPLE_WIDTH, SAMPLE_HEIGHT);
  g_assert_cmpuint (pe_ocr_result_get_n_words (result), >, 100);
  g_assert_cmpfloat (pe_ocr_result_get_mean_confidence (result), >, 80);

  /* Known words and whole lines of the letter, in reading order. */
  g_assert_true (result_has_word (result, "Landesamt"));
  g_assert_true (result_has_word (result, "Liegenschaften"));
  g_assert_nonnull (strstr (text, "Sehr geehrter Herr Behrens,"));
  g_assert_nonnull (strstr (text, "Äußerung zum geplanten Vorhaben"));
  for (guint i = 0; i < words->len; i++)
    found += result_has_word (result, words->pdata[i]);
  g_test_message ("%u of %u long truth words found", found, words->len);
  g_assert_cmpuint (found * 100, >=, words->len * 95);

  /* 35 truth lines: address, info block, body, footer. */
  g_assert_cmpuint (count_lines (result), >, 20);

  write_text (dir, 1, result);
  truth = write_truth_for_page (dir, 1);
  cer = run_ocr_cer (truth, dir, &per_page);
  g_assert_cmpfloat (per_page_cer (per_page, 1), <=, MAX_CER);
  g_assert_cmpfloat (cer, <=, MAX_CER);

  pe_test_rmdir (dir);
}

static void
assert_same_words (PeOcrResult *a,
                   PeOcrResult *b,
                   double       conf_epsilon)
{
  g_assert_cmpuint (pe_ocr_result_get_width (a), ==, pe_ocr_result_get_width (b));
  g_assert_cmpuint (pe_ocr_result_get_height (a), ==, pe_ocr_result_get_height (b));
  g_assert_cmpuint (pe_ocr_result_get_n_words (a), ==, pe_ocr_result_get_n_words (b));

  for (guint i = 0; i < pe_ocr_result_get_n_words (a); i++)
    {
      const PeOcrWord *wa = pe_ocr_result_get_word (a, i);
      const PeOcrWord *wb = pe_ocr_result_get_word (b, i);

      g_assert_cmpstr (wa->text, ==, wb->text);
      g_assert_cmpuint (wa->block, ==, wb->block);
      g_assert_cmpuint (wa->par, ==, wb->par);
      g_assert_cmpuint (wa->line, ==, wb->line);
      g_assert_cmpuint (wa->word, ==, wb->word);
      g_assert_cmpint (wa->x, ==, wb->x);
      g_assert_cmpint (wa->y, ==, wb->y);
      g_assert_cmpint (wa->width, ==, wb->width);
      g_assert_cmpint (wa->height, ==, wb->height);
      if (conf_epsilon == 0)
        g_assert_cmpfloat (wa->conf, ==, wb->conf);
      else
        g_assert_cmpfloat_with_epsilon (wa->conf, wb->conf, conf_epsilon);
    }
}

static void
test_result_tsv_roundtrip (void)
{
  PeOcrResult *result = p0001_result ();
  g_autoptr(PeOcrResult) copy = NULL;
  g_autoptr(PeOcrResult) copy2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tsv = pe_ocr_result_to_tsv (result);
  g_autofree char *tsv2 = NULL;
  g_autofree char *text = NULL;
  g_autofree char *text2 = NULL;

  copy = pe_ocr_result_new_from_tsv (tsv, &error);
  g_assert_no_error (error);
  /* Confidences are stored with two decimals. */
  assert_same_words (result, copy, 0.0051);

  tsv2 = pe_ocr_result_to_tsv (copy);
  g_assert_cmpstr (tsv, ==, tsv2);
  copy2 = pe_ocr_result_new_from_tsv (tsv2, &error);
  g_assert_no_error (error);
  assert_same_words (copy, copy2, 0);

  text = pe_ocr_result_get_text (result);
  text2 = pe_ocr_result_get_text (copy);
  g_assert_cmpstr (text, ==, text2);
}

typedef struct
{
  GCancellable *cancellable;
  guint         delay_ms;
} CancelLater;

static gpointer
cancel_later (gpointer data)
{
  CancelLater *cl = data;

  g_usleep (cl->delay_ms * 1000);
  g_cancellable_cancel (cl->cancellable);
  return NULL;
}

/* Three copies of p0001 stacked: about three times as long to read as one page, so a cancel
 * shortly after the start lands in the middle of recognition. */
static PIX *
tall_page (void)
{
  g_autoptr(PIX) page = read_page (1);
  int w = pixGetWidth (page);
  int h = pixGetHeight (page);
  PIX *tall = pixCreate (w, 3 * h, pixGetDepth (page));

  for (int i = 0; i < 3; i++)
    pixRasterop (tall, 0, i * h, w, h, PIX_SRC, page, 0, 0);
  pixCopyResolution (tall, page);
  return tall;
}

static void
test_engine_cancel (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PeOcrEngine) engine = pe_ocr_engine_new ("deu", &error);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PeOcrResult) result = NULL;
  g_autoptr(PeOcrResult) full = NULL;
  g_autoptr(PIX) pix = tall_page ();
  CancelLater cl = { NULL, 300 };
  GThread *thread;
  gint64 start;
  double t_full, t_cancel;

  g_assert_no_error (error);

  /* Cancelled before: no work at all. */
  g_cancellable_cancel (cancellable);
  start = g_get_monotonic_time ();
  result = pe_ocr_engine_recognize (engine, pix, cancellable, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 10);
  g_clear_error (&error);

  /* Reference: the whole tall page, on the same engine (also proves reuse). */
  start = g_get_monotonic_time ();
  full = pe_ocr_engine_recognize (engine, pix, NULL, &error);
  g_assert_no_error (error);
  t_full = (g_get_monotonic_time () - start) / 1e6;
  assert_sane_words (full, pixGetWidth (pix), pixGetHeight (pix));
  g_assert_cmpuint (count_lines (full), >, 60);

  /* Cancelled while recognising, from another thread. */
  g_cancellable_reset (cancellable);
  cl.cancellable = cancellable;
  thread = g_thread_new ("cancel", cancel_later, &cl);
  start = g_get_monotonic_time ();
  result = pe_ocr_engine_recognize (engine, pix, cancellable, &error);
  t_cancel = (g_get_monotonic_time () - start) / 1e6;
  g_thread_join (thread);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (result);
  g_clear_error (&error);
  g_test_message ("tall page: %.2f s in full, cancelled after %u ms returned after %.2f s",
                  t_full, cl.delay_ms, t_cancel);
  g_assert_cmpfloat (t_cancel, <, t_full / 2);

  /* The engine stays usable after a cancelled page. */
  {
    g_autoptr(PIX) page = read_page (1);
    g_autoptr(PeOcrResult) again = pe_ocr_engine_recognize (engine, page, NULL, &error);

    g_assert_no_error (error);
    assert_same_words (p0001_result (), again, 0);
  }

  g_assert_finalize_object (g_steal_pointer (&engine));
}

static void
test_engine_languages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PeOcrEngine) engine = NULL;

  engine = pe_ocr_engine_new ("xyz", &error);
  g_assert_null (engine);
  g_assert_error (error, PE_ERROR, PE_ERROR_OCR);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "“xyz”"));
  g_assert_nonnull (strstr (error->message, "tesseract-ocr-xyz"));
  g_clear_error (&error);

  /* The missing one of several is named. */
  engine = pe_ocr_engine_new ("deu+xyz", &error);
  g_assert_null (engine);
  g_assert_error (error, PE_ERROR, PE_ERROR_OCR);
  g_assert_nonnull (strstr (error->message, "“xyz”"));
  g_assert_null (strstr (error->message, "“deu”"));
  g_clear_error (&error);

  engine = pe_ocr_engine_new ("../deu", &error);
  g_assert_null (engine);
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_clear_error (&error);

  engine = pe_ocr_engine_new ("deu+eng", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pe_ocr_engine_get_languages (engine), ==, "deu+eng");
  g_assert_finalize_object (g_steal_pointer (&engine));
}

static void
test_engine_tessdata_prefix (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PeOcrEngine) engine = NULL;
  g_autofree char *empty = NULL;

  /* In a child process: setenv () is not safe once threads exist, and the parent has some. */
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* TESSDATA_PREFIX wins over the configured directory. */
  empty = pe_test_mkdtemp ();
  g_setenv ("TESSDATA_PREFIX", empty, TRUE);
  engine = pe_ocr_engine_new ("deu", &error);
  g_assert_null (engine);
  g_assert_error (error, PE_ERROR, PE_ERROR_OCR);
  g_assert_nonnull (strstr (error->message, "tesseract-ocr-deu"));
  g_assert_nonnull (strstr (error->message, empty));
  g_clear_error (&error);
  pe_test_rmdir (empty);

  g_setenv ("TESSDATA_PREFIX", TESSDATA_DIR, TRUE);
  engine = pe_ocr_engine_new ("deu", &error);
  g_assert_no_error (error);
  g_assert_finalize_object (g_steal_pointer (&engine));
}

/* The app runs under the user's locale; Tesseract prints the TSV with the C library, so under
 * de_DE its confidences would read "96,82" and come back as 96 unless the engine switches the
 * recognising thread to C numbers. */
static void
test_engine_german_locale (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PeOcrEngine) engine = NULL;
  g_autoptr(PeOcrResult) result = NULL;
  g_autoptr(PIX) pix = NULL;
  guint fractional = 0;

  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      g_test_skip ("Locale de_DE.UTF-8 not generated");
      return;
    }

  engine = pe_ocr_engine_new ("deu", &error);
  g_assert_no_error (error);
  pix = read_page (5);
  result = pe_ocr_engine_recognize (engine, pix, NULL, &error);
  g_assert_no_error (error);
  assert_sane_words (result, SAMPLE_WIDTH, SAMPLE_HEIGHT);
  for (guint i = 0; i < pe_ocr_result_get_n_words (result); i++)
    {
      float conf = pe_ocr_result_get_word (result, i)->conf;

      fractional += conf != floorf (conf);
    }
  g_assert_cmpuint (fractional, >, pe_ocr_result_get_n_words (result) / 2);
  g_assert_true (result_has_word (result, "Feldstraße"));
}

typedef struct
{
  guint         index;
  PeOcrResult **results;
  GError      **errors;
  guint        *pending;
  gint64        returned;
} PoolJob;

static void
pool_done (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  PoolJob *job = data;

  g_assert_true (g_main_context_is_owner (g_main_context_default ()));
  job->results[job->index] = pe_ocr_pool_recognize_finish (PE_OCR_POOL (object), result,
                                                           &job->errors[job->index]);
  job->returned = g_get_monotonic_time ();
  g_assert_cmpuint (*job->pending, >, 0);
  (*job->pending)--;
}

static void
wait_pending (guint *pending)
{
  while (*pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

/* The pool lives until its last job is released in this context. */
static void
finalize_pool (PeOcrPool *pool)
{
  g_object_add_weak_pointer (G_OBJECT (pool), (gpointer *) &pool);
  g_object_unref (pool);
  while (pool != NULL)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_pool_sample (void)
{
  g_autoptr(PeOcrPool) pool = pe_ocr_pool_new ("deu", 2);
  PeOcrResult *results[N_SAMPLE_PAGES + 1] = { NULL, };
  GError *errors[N_SAMPLE_PAGES + 1] = { NULL, };
  PoolJob jobs[N_SAMPLE_PAGES + 1];
  g_autofree char *dir = pe_test_mkdtemp ();
  g_autofree char *truth = sample_path ("truth.json");
  g_autofree char *per_page = NULL;
  guint pending = 0;
  gint64 start;
  double cer;

  g_assert_cmpuint (pe_ocr_pool_get_n_workers (pool), ==, 2);

  start = g_get_monotonic_time ();
  for (guint i = 1; i <= N_SAMPLE_PAGES; i++)
    {
      g_autoptr(PIX) pix = read_page (i);

      jobs[i] = (PoolJob) { i, results, errors, &pending, 0 };
      pending++;
      /* The pool takes the page over. */
      pe_ocr_pool_recognize_async (pool, g_steal_pointer (&pix), NULL, pool_done, &jobs[i]);
    }
  wait_pending (&pending);
  g_test_message ("pool of 2: %u pages in %.2f s", N_SAMPLE_PAGES,
                  (g_get_monotonic_time () - start) / 1e6);

  for (guint i = 1; i <= N_SAMPLE_PAGES; i++)
    {
      g_autofree char *name = page_name (i);

      g_assert_no_error (errors[i]);
      g_assert_nonnull (results[i]);
      assert_sane_words (results[i], SAMPLE_WIDTH, SAMPLE_HEIGHT);
      g_test_message ("%s: %u words, %u lines, mean confidence %.1f", name,
                      pe_ocr_result_get_n_words (results[i]), count_lines (results[i]),
                      pe_ocr_result_get_mean_confidence (results[i]));

      if (is_content_page (i))
        {
          g_autoptr(GPtrArray) words = truth_words (i);
          guint found = 0;

          for (guint j = 0; j < words->len; j++)
            found += result_has_word (results[i], words->pdata[j]);
          g_assert_cmpuint (found * 100, >=, words->len * 90);
          g_assert_cmpuint (count_lines (results[i]), >=, 10);
        }
      else
        {
          g_assert_true (result_has_word (results[i], "TRENNBLATT"));
        }
      write_text (dir, i, results[i]);
    }

  /* A pool worker reads exactly what a lone engine reads. */
  assert_same_words (p0001_result (), results[1], 0);

  cer = run_ocr_cer (truth, dir, &per_page);
  /* The clean pages (no degradation in the truth) strictly; the degraded ones are reported and
   * bounded by the overall figure. */
  g_assert_cmpfloat (per_page_cer (per_page, 1), <=, MAX_CER);
  g_assert_cmpfloat (per_page_cer (per_page, 5), <=, MAX_CER);
  g_assert_cmpfloat (cer, <=, MAX_CER);

  for (guint i = 1; i <= N_SAMPLE_PAGES; i++)
    g_clear_pointer (&results[i], pe_ocr_result_unref);
  pe_test_rmdir (dir);
  finalize_pool (g_steal_pointer (&pool));
}

static guint
count_threads (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "\nThreads:");
  g_assert_nonnull (line);
  return strtoul (line + strlen ("\nThreads:"), NULL, 10);
}

/* Issue 5: libgomp reads OMP_THREAD_LIMIT before main (); without it every Tesseract opens
 * OpenMP teams and a pool of one engine per core is slower than one process. main () unset the
 * variable for child processes; this child checks that neither the pool's workers nor a lone
 * engine start OpenMP threads. */
static void
test_single_threaded (void)
{
  g_autoptr(PeOcrPool) pool = NULL;
  g_autoptr(PeOcrEngine) engine = NULL;
  g_autoptr(PeOcrResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PIX) pix = NULL;
  PeOcrResult *results[2] = { NULL, };
  GError *errors[2] = { NULL, };
  PoolJob jobs[2];
  guint pending = 0;
  guint before, after_pool, after_engine;

#if HAVE_OPENMP
  if (g_get_num_processors () < 2)
    {
      g_test_skip ("One core: OpenMP never starts a team here");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  /* Without the engine's settings Tesseract would use this many threads per engine. */
  g_assert_null (g_getenv ("OMP_THREAD_LIMIT"));
  g_assert_cmpint (omp_get_thread_limit (), >, 1);
  g_assert_cmpint (omp_get_max_threads (), >, 1);

  /* GTask's class starts GLib's worker thread ("gmain"); count from after that. */
  g_type_ensure (G_TYPE_TASK);

  /* A lone engine in this (main) thread, as a CLI would use it. */
  before = count_threads ();
  pix = read_page (5);
  engine = pe_ocr_engine_new ("deu", &error);
  g_assert_no_error (error);
  result = pe_ocr_engine_recognize (engine, pix, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pe_ocr_result_get_n_words (result), >, 50);
  after_engine = count_threads ();
  g_assert_cmpuint (after_engine, ==, before);

  /* Two workers, each with its engine. */
  pool = pe_ocr_pool_new ("deu", 2);
  before = count_threads ();
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PIX) page = read_page (i == 0 ? 1 : 5);

      jobs[i] = (PoolJob) { i, results, errors, &pending, 0 };
      pending++;
      pe_ocr_pool_recognize_async (pool, g_steal_pointer (&page), NULL, pool_done, &jobs[i]);
    }
  wait_pending (&pending);
  after_pool = count_threads ();
  for (guint i = 0; i < 2; i++)
    {
      g_assert_no_error (errors[i]);
      g_assert_cmpuint (pe_ocr_result_get_n_words (results[i]), >, 50);
      pe_ocr_result_unref (results[i]);
    }
  finalize_pool (g_steal_pointer (&pool));

  g_assert_cmpuint (after_pool, ==, before);
#else
  g_test_skip ("Built without OpenMP");
#endif
}

static void
test_pool_default_workers (void)
{
  g_autoptr(PeOcrPool) pool = pe_ocr_pool_new ("deu", 0);

  g_assert_cmpuint (pe_ocr_pool_get_n_workers (pool), ==, g_get_num_processors ());
  finalize_pool (g_steal_pointer (&pool));
}

static void
test_pool_cancel (void)
{
  g_autoptr(PeOcrPool) pool = pe_ocr_pool_new ("deu", 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) before = g_cancellable_new ();
  PeOcrResult *results[5] = { NULL, };
  GError *errors[5] = { NULL, };
  PoolJob jobs[5];
  guint pending = 0;
  gint64 start;

  /* 1–3 share a cancellable, cancelled once the first is running; 4 was cancelled before it
   * was submitted; 0 is not cancelled and must still come back. */
  g_cancellable_cancel (before);
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(PIX) pix = read_page (1);

      jobs[i] = (PoolJob) { i, results, errors, &pending, 0 };
      pending++;
      pe_ocr_pool_recognize_async (pool, g_steal_pointer (&pix),
                                   i == 0 ? NULL : i == 4 ? before : cancellable,
                                   pool_done, &jobs[i]);
    }

  /* Wait for the pre-cancelled one, which must not wait for the busy worker. */
  while (jobs[4].returned == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (errors[4], G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (jobs[0].returned, ==, 0);

  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  while (jobs[1].returned == 0 || jobs[2].returned == 0 || jobs[3].returned == 0)
    g_main_context_iteration (NULL, TRUE);
  g_test_message ("queued pages cancelled in %.3f s",
                  (g_get_monotonic_time () - start) / 1e6);
  /* Queued behind page 0 (about half a second): they answer without waiting for it. */
  g_assert_cmpint (jobs[1].returned - start, <, G_USEC_PER_SEC / 5);

  for (guint i = 1; i < 5; i++)
    {
      g_assert_error (errors[i], G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (results[i]);
      g_clear_error (&errors[i]);
    }

  wait_pending (&pending);
  g_assert_no_error (errors[0]);
  assert_same_words (p0001_result (), results[0], 0);
  pe_ocr_result_unref (results[0]);

  finalize_pool (g_steal_pointer (&pool));
}

static void
test_pool_bad_language (void)
{
  g_autoptr(PeOcrPool) pool = pe_ocr_pool_new ("xyz", 2);
  PeOcrResult *results[3] = { NULL, };
  GError *errors[3] = { NULL, };
  PoolJob jobs[3];
  guint pending = 0;

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(PIX) pix = read_page (2);

      jobs[i] = (PoolJob) { i, results, errors, &pending, 0 };
      pending++;
      pe_ocr_pool_recognize_async (pool, g_steal_pointer (&pix), NULL, pool_done, &jobs[i]);
    }
  wait_pending (&pending);

  for (guint i = 0; i < 3; i++)
    {
      g_assert_null (results[i]);
      g_assert_error (errors[i], PE_ERROR, PE_ERROR_OCR);
      g_assert_nonnull (strstr (errors[i]->message, "tesseract-ocr-xyz"));
      g_clear_error (&errors[i]);
    }

  finalize_pool (g_steal_pointer (&pool));
}

int
main (int   argc,
      char *argv[])
{
  /* Only children see this (see test_single_threaded); libgomp in this process
   * has read it already. No thread exists yet, so setenv () is safe here. */
  g_unsetenv ("OMP_THREAD_LIMIT");

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/ocr/engine/clean-page", test_engine_clean_page);
  g_test_add_func ("/ocr/result/tsv-roundtrip", test_result_tsv_roundtrip);
  g_test_add_func ("/ocr/engine/cancel", test_engine_cancel);
  g_test_add_func ("/ocr/engine/languages", test_engine_languages);
  g_test_add_func ("/ocr/engine/tessdata-prefix", test_engine_tessdata_prefix);
  g_test_add_func ("/ocr/engine/german-locale", test_engine_german_locale);
  g_test_add_func ("/ocr/pool/sample", test_pool_sample);
  g_test_add_func ("/ocr/pool/default-workers", test_pool_default_workers);
  g_test_add_func ("/ocr/single-threaded", test_single_threaded);
  g_test_add_func ("/ocr/pool/cancel", test_pool_cancel);
  g_test_add_func ("/ocr/pool/bad-language", test_pool_bad_language);

  return g_test_run ();
}
