/* pe-ocr-engine.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <locale.h>
#include <string.h>
#include <tesseract/capi.h>
#if HAVE_OPENMP
# include <omp.h>
#endif

#include "pe-error.h"
#include "pe-ocr-engine.h"
#include "pe-types.h"

/* Page segmentation, measured on the four content pages of data/sample (200 dpi DIN letters:
 * address window, two-column info block, body, footer), CER by tools/ocr-cer:
 *
 *   PSM 3 (auto)          1.8 / 0.0 / 1.5 / 1.7 %   overall 1.33 %
 *   PSM 4 (single column) 1.8 / 0.0 / 1.5 / 6.2 %   overall 2.22 %  (skewed p0007 suffers)
 *   PSM 6 (single block)  6.3 / 2.6 / 3.6 / 1.2 %   overall 3.90 %  (info block merged)
 *
 * (tesseract 5.3 -l deu, same engine.) PSM 4 and 6 save only 6 % and 16 % of the time. Letters
 * are not one column: the info block beside the address window and the footer columns need
 * real layout analysis, and PSM 4 loses lines on a skewed page, so PSM_AUTO. */
#define PE_OCR_PSM PSM_AUTO

/* Scanners and the importers record the resolution; a bare file gets 300 dpi, the resolution
 * Tesseract's models expect, rather than Tesseract's noisy guess. */
#define PE_OCR_DEFAULT_PPI 300

struct _PeOcrEngine
{
  GObject      parent_instance;

  char        *languages;
  TessBaseAPI *api;
};

enum {
  PROP_0,
  PROP_LANGUAGES,
  N_PROPS
};

static GParamSpec *properties [N_PROPS];

static void initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PeOcrEngine, pe_ocr_engine, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, initable_iface_init))

static const char *
get_datapath (void)
{
  const char *prefix = g_getenv ("TESSDATA_PREFIX");

  /* An explicit datapath wins over TESSDATA_PREFIX inside Tesseract, so honour the variable
   * here: it is how users and the Flatpak point at other language data. */
  if (prefix != NULL && prefix[0] != '\0')
    return prefix;

  return TESSDATA_DIR;
}

static gboolean
language_name_is_valid (const char *lang)
{
  if (lang[0] == '\0')
    return FALSE;

  for (const char *p = lang; *p != '\0'; p++)
    {
      /* Tesseract names: "deu", "chi_sim", "script/Latin"; nothing that climbs out of the
       * data directory. */
      if (!g_ascii_isalnum (*p) && *p != '_' && *p != '-' && *p != '/')
        return FALSE;
    }

  return strstr (lang, "..") == NULL && lang[0] != '/';
}

static char *
debian_package_for (const char *lang)
{
  g_autofree char *lower = g_ascii_strdown (lang, -1);

  /* Debian names the packages tesseract-ocr-deu, tesseract-ocr-chi-sim, … */
  g_strdelimit (lower, "_/", '-');
  return g_strdup_printf ("tesseract-ocr-%s", lower);
}

/* Checked before TessBaseAPIInit3 so the message can name the one missing language; Tesseract
 * itself only prints to stderr and returns -1. */
static gboolean
check_languages (const char  *datapath,
                 const char  *languages,
                 GError     **error)
{
  g_auto(GStrv) langs = g_strsplit (languages, "+", -1);

  if (langs[0] == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                   _("No text recognition language is set. "
                     "Choose a language such as “deu” in the profile."));
      return FALSE;
    }

  for (guint i = 0; langs[i] != NULL; i++)
    {
      g_autofree char *file = NULL;
      g_autofree char *path = NULL;

      if (!language_name_is_valid (langs[i]))
        {
          g_set_error (error, PE_ERROR, PE_ERROR_INVALID,
                       _("“%s” is not a valid text recognition language. "
                         "Use Tesseract language codes joined by “+”, such as “deu+eng”."),
                       languages);
          return FALSE;
        }

      file = g_strconcat (langs[i], ".traineddata", NULL);
      path = g_build_filename (datapath, file, NULL);
      if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_autofree char *package = debian_package_for (langs[i]);

          g_set_error (error, PE_ERROR, PE_ERROR_OCR,
                       _("The text recognition data for the language “%s” is not installed "
                         "(looked in %s). Install the package %s, or choose another language "
                         "in the profile."),
                       langs[i], datapath, package);
          return FALSE;
        }
    }

  return TRUE;
}

/* Tesseract formats the TSV confidences (and parses its float parameters) with the C library
 * in the current locale: under de_DE the app would store "96,82", which reads back as 96.
 * uselocale () switches only the calling thread, so the UI thread keeps its German numbers. */
static locale_t
c_numeric_locale (void)
{
  static locale_t locale = (locale_t) 0;

  if (g_once_init_enter (&locale))
    {
      locale_t base = duplocale (LC_GLOBAL_LOCALE);
      locale_t c = newlocale (LC_NUMERIC_MASK, "C", base);

      if (c == (locale_t) 0)
        freelocale (base);
      g_once_init_leave (&locale, c != (locale_t) 0 ? c : LC_GLOBAL_LOCALE);
    }

  return locale;
}

static gboolean
pe_ocr_engine_initable_init (GInitable     *initable,
                             GCancellable  *cancellable,
                             GError       **error)
{
  PeOcrEngine *self = PE_OCR_ENGINE (initable);
  const char *datapath = get_datapath ();
  locale_t old_locale;
  int rc;

  if (self->api != NULL)
    return TRUE;

  if (self->languages == NULL)
    self->languages = g_strdup ("deu");

  if (!check_languages (datapath, self->languages, error))
    return FALSE;

  self->api = TessBaseAPICreate ();
  /* Tesseract writes its debug notes ("Detected 16 diacritics" on a noisy page) to stderr,
   * the terminal of whoever runs the CLI; what matters reaches us through return codes. */
  TessBaseAPISetVariable (self->api, "debug_file", "/dev/null");
  old_locale = uselocale (c_numeric_locale ());
  rc = TessBaseAPIInit3 (self->api, datapath, self->languages);
  uselocale (old_locale);
  if (rc != 0)
    {
      g_clear_pointer (&self->api, TessBaseAPIDelete);
      g_set_error (error, PE_ERROR, PE_ERROR_OCR,
                   _("The text recognition data for “%s” in %s could not be loaded. "
                     "Reinstall the Tesseract language packages and try again."),
                   self->languages, datapath);
      return FALSE;
    }

  TessBaseAPISetPageSegMode (self->api, PE_OCR_PSM);

  return TRUE;
}

static void
initable_iface_init (GInitableIface *iface)
{
  iface->init = pe_ocr_engine_initable_init;
}

static void
pe_ocr_engine_finalize (GObject *object)
{
  PeOcrEngine *self = (PeOcrEngine *)object;

  g_clear_pointer (&self->api, TessBaseAPIDelete);
  g_clear_pointer (&self->languages, g_free);

  G_OBJECT_CLASS (pe_ocr_engine_parent_class)->finalize (object);
}

static void
pe_ocr_engine_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  PeOcrEngine *self = PE_OCR_ENGINE (object);

  switch (prop_id)
    {
    case PROP_LANGUAGES:
      g_value_set_string (value, self->languages);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_ocr_engine_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  PeOcrEngine *self = PE_OCR_ENGINE (object);

  switch (prop_id)
    {
    case PROP_LANGUAGES:
      self->languages = g_value_dup_string (value);
      break;

    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pe_ocr_engine_class_init (PeOcrEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_ocr_engine_finalize;
  object_class->get_property = pe_ocr_engine_get_property;
  object_class->set_property = pe_ocr_engine_set_property;

  properties [PROP_LANGUAGES] =
    g_param_spec_string ("languages", NULL, NULL,
                         "deu",
                         (G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                          G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS));

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pe_ocr_engine_init (PeOcrEngine *self)
{
}

PeOcrEngine *
pe_ocr_engine_new (const char  *languages,
                   GError     **error)
{
  g_return_val_if_fail (languages != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (PE_TYPE_OCR_ENGINE, NULL, error,
                         "languages", languages,
                         NULL);
}

const char *
pe_ocr_engine_get_languages (PeOcrEngine *self)
{
  g_return_val_if_fail (PE_IS_OCR_ENGINE (self), NULL);

  return self->languages;
}

/* libgomp reads OMP_THREAD_LIMIT when it is loaded, before main (). Unset, Tesseract 5.3 opens
 * an OpenMP team for every text line; on 2 cores one engine then took 3.8 s per page instead of
 * 0.48 s, and two workers fought each other's teams (2 pages: 3.3 s instead of 0.6 s). Both
 * settings are per thread, so every recognising thread makes them, before its first page.
 * omp_set_num_threads (1) alone is not enough: Tesseract's pragmas name their team size
 * (num_threads (…)), which overrides it; 0 active parallel levels runs every region on the
 * calling thread. Parallelism comes from PeOcrPool, one engine per core. */
static void
make_thread_single_threaded (void)
{
#if HAVE_OPENMP
  static GPrivate done;

  if (g_private_get (&done) == NULL)
    {
      omp_set_num_threads (1);
      omp_set_max_active_levels (0);
      g_private_set (&done, GINT_TO_POINTER (TRUE));
    }
#endif
}

/* Called by Tesseract between words of the recognition pass, in the recognising thread. */
static bool
cancel_func (void *cancel_this,
             int   words)
{
  return g_cancellable_is_cancelled (cancel_this);
}

static PeOcrResult *
result_with_size (PeOcrResult *result,
                  guint        width,
                  guint        height)
{
  PeOcrResult *copy;

  if (pe_ocr_result_get_width (result) == width && pe_ocr_result_get_height (result) == height)
    return pe_ocr_result_ref (result);

  /* The TSV page row carries Tesseract's rectangle, which is the image unless a rectangle was
   * set; the text layer maps boxes by the image size, so never trust it blindly. */
  copy = pe_ocr_result_new (width, height);
  for (guint i = 0; i < pe_ocr_result_get_n_words (result); i++)
    pe_ocr_result_add_word (copy, pe_ocr_result_get_word (result, i));

  return copy;
}

PeOcrResult *
pe_ocr_engine_recognize (PeOcrEngine   *self,
                         PIX           *pix,
                         GCancellable  *cancellable,
                         GError       **error)
{
  g_return_val_if_fail (pix != NULL, NULL);

  return pe_ocr_engine_recognize_take (self, pixClone (pix), cancellable, error);
}

PeOcrResult *
pe_ocr_engine_recognize_take (PeOcrEngine   *self,
                              PIX           *pix,
                              GCancellable  *cancellable,
                              GError       **error)
{
  g_autoptr(PIX) page = pix;
  g_autoptr(PeOcrResult) result = NULL;
  ETEXT_DESC *monitor;
  locale_t old_locale;
  double cpu_start, cpu;
  char *tsv;
  int ppi;
  int rc;
  guint width, height;

  g_return_val_if_fail (PE_IS_OCR_ENGINE (self), NULL);
  g_return_val_if_fail (pix != NULL, NULL);
  g_return_val_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  ppi = pixGetXRes (pix);
  if (ppi <= 0)
    ppi = PE_OCR_DEFAULT_PPI;

  width = pixGetWidth (pix);
  height = pixGetHeight (pix);
  /* Tesseract's time is everything inside it for this page: taking the image, recognising,
   * writing the TSV and clearing the page's structures again. */
  cpu_start = pe_thread_cpu_seconds ();
  TessBaseAPISetImage2 (self->api, pix);
  TessBaseAPISetSourceResolution (self->api, ppi);
  /* Tesseract works on its own copy (ImageThresholder::SetImage always copies). */
  pixDestroy (&page);

  make_thread_single_threaded ();

  monitor = TessMonitorCreate ();
  if (cancellable != NULL)
    {
      TessMonitorSetCancelFunc (monitor, cancel_func);
      TessMonitorSetCancelThis (monitor, cancellable);
    }
  old_locale = uselocale (c_numeric_locale ());
  rc = TessBaseAPIRecognize (self->api, monitor);
  TessMonitorDelete (monitor);
  tsv = rc == 0 ? TessBaseAPIGetTsvText (self->api, 0) : NULL;
  uselocale (old_locale);
  /* Frees the page's layout and words but keeps the loaded models for the next page. */
  TessBaseAPIClear (self->api);
  cpu = pe_thread_cpu_seconds () - cpu_start;

  /* A cancelled recognition returns -1 with half the words faked; its result is worthless. */
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    {
      g_clear_pointer (&tsv, TessDeleteText);
      return NULL;
    }
  if (rc != 0)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_OCR,
                   _("Text recognition failed on a page of %u × %u pixels. "
                     "Check that the page image is not damaged and scan it again."),
                   width, height);
      return NULL;
    }

  if (tsv == NULL)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_OCR,
                   _("Text recognition produced no result for a page. "
                     "Run text recognition for this page again."));
      return NULL;
    }

  result = pe_ocr_result_new_from_tsv (tsv, error);
  TessDeleteText (tsv);
  if (result == NULL)
    return NULL;

  {
    PeOcrResult *sized = result_with_size (result, width, height);

    pe_ocr_result_set_cpu_seconds (sized, cpu);
    return sized;
  }
}
