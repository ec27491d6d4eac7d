/* test-separator.c: separator sheets on the sample stack, turned, and with codes drawn on
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <math.h>
#include <string.h>

#include "pe-separator.h"
#include "pe-error.h"
#include "pe-test-common.h"

#define MM(dpi, mm) ((gint) ((mm) * (dpi) / 25.4 + 0.5))

static PIX *
sample_grey (const char *name)
{
  g_autoptr(PIX) page = pe_test_load_sample_page (name);
  PIX *grey = pixConvertTo8 (page, FALSE);

  pixCopyResolution (grey, page);
  return grey;
}

static void
detect (PIX                     *page,
        const PeSeparatorParams *params,
        PeSeparator             *out)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pe_separator_detect (page, params, out, &error));
  g_assert_no_error (error);
}

static const PeSymbol *
find_symbol (const PeSeparator *out,
             const char        *type,
             const char        *text)
{
  for (guint i = 0; i < out->symbols->len; i++)
    {
      const PeSymbol *s = g_ptr_array_index (out->symbols, i);

      if (g_str_equal (s->type, type) && g_str_equal (s->text, text))
        return s;
    }
  return NULL;
}

/* The generator puts a 110 mm QR code 55 mm from the top, centred (gen_letters.py). */
static void
assert_qr_box (const PeSymbol *s,
               PIX            *page)
{
  double dpi = pixGetXRes (page);
  double cx = s->x + s->width / 2.0, cy = s->y + s->height / 2.0;

  g_assert_cmpfloat (fabs (cx - pixGetWidth (page) / 2.0), <, MM (dpi, 5));
  g_assert_cmpfloat (fabs (cy - MM (dpi, 55 + 55)), <, MM (dpi, 5));
  g_assert_cmpint (s->width, >, MM (dpi, 100));
  g_assert_cmpint (s->width, <, MM (dpi, 120));
  g_assert_cmpint (s->height, >, MM (dpi, 100));
  g_assert_cmpint (s->height, <, MM (dpi, 120));
}

static void
test_sample_separators (void)
{
  const char *names[] = { "p0002.png", "p0004.png", "p0006.png" };
  PeSeparatorParams params;
  PeSeparator out;

  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(PIX) page = pe_test_load_sample_page (names[i]);
      const PeSymbol *qr;

      detect (page, &params, &out);
      g_assert_true (out.is_separator);
      g_assert_cmpuint (out.reduction, ==, 2);  /* 200 dpi */
      qr = find_symbol (&out, "QR-Code", "PATCHT");
      g_assert_nonnull (qr);
      g_assert_true (qr->matches);
      assert_qr_box (qr, page);
      /* Nothing else on the sheet is a code (the word PATCHT under it is type). */
      g_assert_cmpuint (out.symbols->len, ==, 1);
    }
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

static void
test_sample_letters (void)
{
  const char *names[] = { "p0001.png", "p0003.png", "p0005.png", "p0007.png" };
  PeSeparatorParams params;
  PeSeparator out;

  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(PIX) page = pe_test_load_sample_page (names[i]);

      /* At full resolution too: text, tables, logos and signatures give no false code. */
      for (guint reduction = 1; reduction <= 4; reduction *= 2)
        {
          params.reduction = reduction;
          detect (page, &params, &out);
          g_assert_false (out.is_separator);
          g_assert_cmpuint (out.symbols->len, ==, 0);
        }
    }
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

static void
test_rotated (void)
{
  g_autoptr(PIX) page = pe_test_load_sample_page ("p0004.png");
  PeSeparatorParams params;
  PeSeparator out;

  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  for (int quads = 1; quads <= 3; quads++)
    {
      g_autoptr(PIX) turned = pixRotateOrth (page, quads);

      for (guint reduction = 1; reduction <= 8; reduction *= 2)
        {
          params.reduction = reduction;
          detect (turned, &params, &out);
          g_assert_true (out.is_separator);
          g_assert_cmpuint (out.reduction, ==, reduction);
          g_assert_nonnull (find_symbol (&out, "QR-Code", "PATCHT"));
        }
    }
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

static PIX *scanned (PIX *page, double degrees);

/* A QR code from tests/data/separate (one pixel per module) on a white area of @page. */
static void
paste_qr (PIX        *page,
          const char *name,
          guint       module_px,
          gint        x,
          gint        y)
{
  g_autofree char *path = pe_test_data_path (name);
  g_autoptr(PIX) modules = pixRead (path);
  g_autoptr(PIX) grey = NULL;
  g_autoptr(PIX) big = NULL;

  g_assert_nonnull (modules);
  grey = pixConvertTo8 (modules, FALSE);
  /* The quiet zone is white whichever way the PNG stores its bits. */
  {
    l_uint32 corner = 0;

    pixGetPixel (grey, 0, 0, &corner);
    if (corner < 128)
      pixInvert (grey, grey);
  }
  big = pixExpandReplicate (grey, module_px);
  pixRasterop (page, x, y, pixGetWidth (big), pixGetHeight (big), PIX_SRC, big, 0, 0);
}

static void
test_other_qr (void)
{
  g_autoptr(PIX) page = sample_grey ("p0007.png");
  PeSeparatorParams params;
  PeSeparator out;
  const PeSymbol *s;

  /* 1 mm modules (8 pixels at 200 dpi, a 41 mm code) in the letter's lower right corner,
   * like a reference code printed on a form. */
  paste_qr (page, "separate/qr-other.png", 8, MM (200, 120), MM (200, 220));
  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  detect (page, &params, &out);
  g_assert_false (out.is_separator);
  s = find_symbol (&out, "QR-Code", "https://posteingang.example/vorgang/63-01-2026/00123");
  g_assert_nonnull (s);
  g_assert_false (s->matches);
  /* The box starts after the quiet zone of 4 modules. */
  g_assert_cmpint (ABS ((gint) s->x - MM (200, 120) - 4 * 8), <, 8);
  g_assert_cmpint (ABS ((gint) s->y - MM (200, 220) - 4 * 8), <, 8);
  g_assert_cmpint (ABS ((gint) s->width - 33 * 8), <, 12);

  /* The same code made a separator text. */
  g_assert_true (pe_separator_params_set_texts (
    &params, "PATCHT; https://posteingang.example/vorgang/63-01-2026/00123", NULL));
  detect (page, &params, &out);
  g_assert_true (out.is_separator);

  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

/* Separator QR codes smaller than the generator's: at 300 dpi the page is read at 75 dpi
 * (reduction 4), which reads 1.35 mm modules (a 28 mm code); 0.5 mm modules need the full
 * resolution. */
static void
test_small_qr_300dpi (void)
{
  g_autoptr(PIX) letter = sample_grey ("p0003.png");
  g_autoptr(PIX) page = pixScale (letter, 1.5, 1.5);
  g_autoptr(PIX) scan = NULL;
  PeSeparatorParams params;
  PeSeparator out;

  pixSetResolution (page, 300, 300);
  paste_qr (page, "separate/qr-patcht.png", 16, MM (300, 150), MM (300, 240));
  paste_qr (page, "separate/qr-other.png", 6, MM (300, 20), MM (300, 240));
  scan = scanned (page, 0.6);
  pe_separator_params_init_default (&params);
  pe_separator_init (&out);

  detect (scan, &params, &out);
  g_assert_cmpuint (out.reduction, ==, 4);
  g_assert_true (out.is_separator);
  g_assert_nonnull (find_symbol (&out, "QR-Code", "PATCHT"));

  params.reduction = 1;
  detect (scan, &params, &out);
  g_assert_true (out.is_separator);
  g_assert_nonnull (find_symbol (&out, "QR-Code", "PATCHT"));
  g_assert_nonnull (find_symbol (&out, "QR-Code",
                                 "https://posteingang.example/vorgang/63-01-2026/00123"));
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

/* Code 128 (ISO/IEC 15417) bar and space widths in modules, values 0–106 (106 = stop). zbar
 * has no encoder, so the test draws the symbol itself. */
static const char *const code128[] = {
  "212222", "222122", "222221", "121223", "121322", "131222", "122213", "122312", "132212",
  "221213", "221312", "231212", "112232", "122132", "122231", "113222", "123122", "123221",
  "223211", "221132", "221231", "213212", "223112", "312131", "311222", "321122", "321221",
  "312212", "322112", "322211", "212123", "212321", "232121", "111323", "131123", "131321",
  "112313", "132113", "132311", "211313", "231113", "231311", "112133", "112331", "132131",
  "113123", "113321", "133121", "313121", "211331", "231131", "213113", "213311", "213131",
  "311123", "311321", "331121", "312113", "312311", "332111", "314111", "221411", "431111",
  "111224", "111422", "121124", "121421", "141122", "141221", "112214", "112412", "122114",
  "122411", "142112", "142211", "241211", "221114", "413111", "241112", "134111", "111242",
  "121142", "121241", "114212", "124112", "124211", "411212", "421112", "421211", "212141",
  "214121", "412121", "111143", "111341", "131141", "114113", "114311", "411113", "411311",
  "113141", "114131", "311141", "411131", "211412", "211214", "211232", "2331112",
};

/* Code set B (ASCII 32–127) with its check value; 10 modules of quiet zone each side, painted
 * white, bars black. Returns the symbol's width in pixels. */
static gint
draw_code128 (PIX        *page,
              const char *text,
              gint        x,
              gint        y,
              gint        module,
              gint        height)
{
  g_autoptr(GArray) values = g_array_new (FALSE, FALSE, sizeof (guint));
  guint start = 104, check = 104, stop = 106;
  gint modules = 0, pos;

  g_array_append_val (values, start);
  for (guint i = 0; text[i] != '\0'; i++)
    {
      guint v = (guchar) text[i] - 32;

      g_array_append_val (values, v);
      check += v * (i + 1);
    }
  check %= 103;
  g_array_append_val (values, check);
  g_array_append_val (values, stop);

  for (guint i = 0; i < values->len; i++)
    for (const char *w = code128[g_array_index (values, guint, i)]; *w; w++)
      modules += *w - '0';
  pixRasterop (page, x, y, (modules + 20) * module, height, PIX_SET, NULL, 0, 0);

  pos = x + 10 * module;
  for (guint i = 0; i < values->len; i++)
    {
      const char *w = code128[g_array_index (values, guint, i)];

      for (guint e = 0; w[e] != '\0'; e++)
        {
          gint width = (w[e] - '0') * module;

          if (e % 2 == 0)
            pixRasterop (page, pos, y, width, height, PIX_CLR, NULL, 0, 0);
          pos += width;
        }
    }
  return (modules + 20) * module;
}

/* A scan of a print: slightly turned, slightly blurred. */
static PIX *
scanned (PIX    *page,
         double  degrees)
{
  g_autoptr(PIX) turned = pixRotate (page, degrees * M_PI / 180.0, L_ROTATE_AREA_MAP,
                                     L_BRING_IN_WHITE, 0, 0);
  PIX *blurred = pixBlockconv (turned, 1, 1);

  pixCopyResolution (blurred, page);
  return blurred;
}

static void
test_code128 (void)
{
  PeSeparatorParams params;
  PeSeparator out;

  pe_separator_params_init_default (&params);
  pe_separator_init (&out);

  /* 0.5 mm modules at 300 dpi and 200 dpi (1.5 and 2 pixels once reduced), on a letter,
   * 15 mm high. */
  for (guint dpi = 200; dpi <= 300; dpi += 100)
    {
      g_autoptr(PIX) letter = sample_grey ("p0005.png");
      g_autoptr(PIX) page = dpi == 200 ? pixCopy (NULL, letter)
                                       : pixScale (letter, 1.5, 1.5);
      g_autoptr(PIX) scan = NULL;
      gint module = dpi == 300 ? 6 : 4;
      gint x = MM (dpi, 110), y = MM (dpi, 250);
      gint width;

      pixSetResolution (page, dpi, dpi);
      width = draw_code128 (page, "PATCHT", x, y, module, MM (dpi, 15));
      draw_code128 (page, "Az 63-01-2026", MM (dpi, 15), MM (dpi, 268), module, MM (dpi, 12));
      scan = scanned (page, 0.8);

      for (int quads = 0; quads <= 3; quads++)
        {
          g_autoptr(PIX) turned = pixRotateOrth (scan, quads);
          const PeSymbol *s;

          detect (turned, &params, &out);
          g_assert_true (out.is_separator);
          s = find_symbol (&out, "CODE-128", "PATCHT");
          g_assert_nonnull (s);
          g_assert_true (s->matches);
          /* Another Code 128 on the same page is found and is no separator. */
          s = find_symbol (&out, "CODE-128", "Az 63-01-2026");
          g_assert_nonnull (s);
          g_assert_false (s->matches);
          if (quads == 0)
            {
              s = find_symbol (&out, "CODE-128", "PATCHT");
              /* zbar's box of a linear code spans the bars it crossed. */
              g_assert_cmpint (s->x, >=, x);
              g_assert_cmpint (s->x + s->width, <=, x + width);
              g_assert_cmpint (s->width, >, width / 2);
            }
        }

      /* Case matters (Paperless-ngx): "patcht" is no separator. */
      {
        g_autoptr(PIX) lower = pixCopy (NULL, page);

        draw_code128 (lower, "patcht", x, y, module, MM (dpi, 15));
        detect (lower, &params, &out);
        g_assert_nonnull (find_symbol (&out, "CODE-128", "patcht"));
        g_assert_false (out.is_separator);
      }
    }
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

/* Kodak patch code: four bars, 2.03 mm narrow / 5.08 mm wide, narrow spaces, drawn
 * horizontally (parallel to the leading edge) @length_mm long at (@x_mm, @y_mm). */
static void
draw_patch (PIX        *page,
            const char *bars,
            double      x_mm,
            double      y_mm,
            double      length_mm)
{
  double dpi = pixGetXRes (page);
  double y = y_mm;

  pixRasterop (page, MM (dpi, x_mm - 5), MM (dpi, y_mm - 5), MM (dpi, length_mm + 10),
               MM (dpi, 32), PIX_SET, NULL, 0, 0);
  for (const char *b = bars; *b; b++)
    {
      double h = *b == 'W' ? 5.08 : 2.03;

      pixRasterop (page, MM (dpi, x_mm), MM (dpi, y), MM (dpi, length_mm),
                   MM (dpi, y + h) - MM (dpi, y), PIX_CLR, NULL, 0, 0);
      y += h + 2.03;
    }
}

static void
test_patch_t (void)
{
  g_autoptr(PIX) page = sample_grey ("p0003.png");
  g_autoptr(PIX) scan = NULL;
  PeSeparatorParams params;
  PeSeparator out;
  const PeSymbol *s;

  draw_patch (page, "NWNW", 60, 240, 80);
  scan = scanned (page, -1.2);
  pe_separator_params_init_default (&params);
  pe_separator_init (&out);

  /* Found, but by default (Paperless-ngx' PATCHT only) no separator. */
  detect (scan, &params, &out);
  s = find_symbol (&out, "PATCH", "PATCH T");
  g_assert_nonnull (s);
  g_assert_false (out.is_separator);
  g_assert_cmpuint (out.symbols->len, ==, 1);
  g_assert_cmpint (ABS ((gint) s->y - MM (200, 240)), <, MM (200, 3));
  g_assert_cmpint (s->height, >, MM (200, 18));
  g_assert_cmpint (s->height, <, MM (200, 23));
  g_assert_cmpint (s->width, >, MM (200, 70));

  g_assert_true (pe_separator_params_set_texts (&params, "PATCHT;PATCH T", NULL));
  for (int quads = 0; quads <= 3; quads++)
    {
      g_autoptr(PIX) turned = pixRotateOrth (scan, quads);

      for (guint reduction = 1; reduction <= 4; reduction *= 2)
        {
          params.reduction = reduction;
          detect (turned, &params, &out);
          g_assert_true (out.is_separator);
          g_assert_cmpuint (out.symbols->len, ==, 1);
          s = g_ptr_array_index (out.symbols, 0);
          g_assert_cmpstr (s->type, ==, "PATCH");
          /* Read from the top (or left) the sheet turned upside down is Patch 3, which
           * still matches: four bars do not tell which way up the sheet is. */
          g_assert_cmpstr (s->text, ==, quads == 0 || quads == 3 ? "PATCH T" : "PATCH 3");
          g_assert_true (s->matches);
        }
    }

  /* Patch 2 (W N N W) is read as what it is and is no separator. */
  {
    g_autoptr(PIX) two = sample_grey ("p0003.png");
    g_autoptr(PIX) two_scan = NULL;

    draw_patch (two, "WNNW", 60, 240, 80);
    two_scan = scanned (two, 0.5);
    params.reduction = 0;
    detect (two_scan, &params, &out);
    g_assert_nonnull (find_symbol (&out, "PATCH", "PATCH 2"));
    g_assert_false (out.is_separator);
  }

  /* Bars too short for a patch (8 mm): nothing. */
  {
    g_autoptr(PIX) short_bars = sample_grey ("p0003.png");

    draw_patch (short_bars, "NWNW", 60, 240, 8);
    detect (short_bars, &params, &out);
    g_assert_cmpuint (out.symbols->len, ==, 0);
  }

  params.patch_codes = FALSE;
  detect (scan, &params, &out);
  g_assert_cmpuint (out.symbols->len, ==, 0);

  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

/* Colour, 1 bpp and colormapped pages and pages without a resolution. */
static void
test_depths (void)
{
  g_autoptr(PIX) colour = pe_test_load_sample_page ("p0002.png");
  g_autoptr(PIX) grey = pixConvertTo8 (colour, FALSE);
  g_autoptr(PIX) rgb = pixConvertTo32 (grey);
  g_autoptr(PIX) bitonal = pixThresholdToBinary (grey, 128);
  g_autoptr(PIX) mapped = pixConvertGrayToColormap (grey);
  PIX *pages[] = { rgb, bitonal, mapped, grey };
  PeSeparatorParams params;
  PeSeparator out;

  pixCopyResolution (bitonal, grey);
  pixSetResolution (grey, 0, 0);
  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      detect (pages[i], &params, &out);
      g_assert_true (out.is_separator);
      assert_qr_box (find_symbol (&out, "QR-Code", "PATCHT"), colour);
    }
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

static void
test_params (void)
{
  PeSeparatorParams params;
  g_autoptr(GError) error = NULL;

  pe_separator_params_init_default (&params);
  g_assert_cmpuint (g_strv_length (params.texts), ==, 1);
  g_assert_cmpstr (params.texts[0], ==, "PATCHT");

  g_assert_true (pe_separator_params_set_texts (&params, " PATCHT ;; PATCH T;", &error));
  g_assert_no_error (error);
  g_assert_cmpuint (g_strv_length (params.texts), ==, 2);
  g_assert_cmpstr (params.texts[0], ==, "PATCHT");
  g_assert_cmpstr (params.texts[1], ==, "PATCH T");

  /* Empty and NULL keep what there is. */
  g_assert_true (pe_separator_params_set_texts (&params, " ; ", &error));
  g_assert_true (pe_separator_params_set_texts (&params, NULL, &error));
  g_assert_cmpuint (g_strv_length (params.texts), ==, 2);

  g_assert_false (pe_separator_params_set_texts (&params, "PATCHT;A\tB", &error));
  g_assert_error (error, PE_ERROR, PE_ERROR_INVALID);
  g_assert_cmpuint (g_strv_length (params.texts), ==, 2);
  pe_separator_params_clear (&params);
}

static void
test_json (void)
{
  g_autoptr(PIX) page = pe_test_load_sample_page ("p0002.png");
  g_autoptr(JsonNode) json = NULL;
  PeSeparatorParams params;
  PeSeparator out;
  JsonObject *root, *symbol;
  JsonArray *box;

  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  detect (page, &params, &out);
  json = pe_separator_to_json (&out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json));
  root = json_node_get_object (json);
  g_assert_true (json_object_get_boolean_member (root, "separator"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (root, "symbols")),
                    ==, 1);
  symbol = json_array_get_object_element (json_object_get_array_member (root, "symbols"), 0);
  g_assert_cmpstr (json_object_get_string_member (symbol, "type"), ==, "QR-Code");
  g_assert_cmpstr (json_object_get_string_member (symbol, "text"), ==, "PATCHT");
  box = json_object_get_array_member (symbol, "box");
  g_assert_cmpuint (json_array_get_length (box), ==, 4);
  g_assert_cmpint (json_array_get_int_element (box, 2), ==,
                   ((PeSymbol *) g_ptr_array_index (out.symbols, 0))->width);
  g_assert_cmpfloat (json_object_get_double_member (root, "ms"), >, 0);
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

typedef struct
{
  PIX               *separator;
  PIX               *letter;
  PeSeparatorParams *params;
  gint               failures;
} ThreadData;

static gpointer
detect_thread (gpointer data)
{
  ThreadData *td = data;
  PeSeparator out;

  pe_separator_init (&out);
  for (guint i = 0; i < 6; i++)
    {
      PIX *page = i % 2 ? td->letter : td->separator;

      if (!pe_separator_detect (page, td->params, &out, NULL)
          || out.is_separator != (page == td->separator)
          || out.symbols->len != (page == td->separator ? 1u : 0u))
        g_atomic_int_inc (&td->failures);
    }
  pe_separator_clear (&out);
  return NULL;
}

static void
test_threads (void)
{
  g_autoptr(PIX) separator = pe_test_load_sample_page ("p0006.png");
  g_autoptr(PIX) letter = pe_test_load_sample_page ("p0003.png");
  PeSeparatorParams params;
  ThreadData td = { separator, letter, &params, 0 };
  GThread *threads[4];

  pe_separator_params_init_default (&params);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    threads[i] = g_thread_new ("detect", detect_thread, &td);
  for (guint i = 0; i < G_N_ELEMENTS (threads); i++)
    g_thread_join (threads[i]);
  g_assert_cmpint (td.failures, ==, 0);
  pe_separator_params_clear (&params);
}

/* Sheets of the 300 dpi degraded corpus batch (gen_letters.py --docs 12 --separators qr
 * --duplex --dpi 300 --mode degraded --seed 5), tests/data/separate/README.md. */
static void
test_corpus_pages (void)
{
  const struct { const char *name; gboolean separator; } pages[] = {
    { "separate/corpus-p0019-separator-270.png", TRUE },   /* turned 270°, skewed 1.4°, JPEG */
    { "separate/corpus-p0011-separator-180.jpg", TRUE },   /* turned 180°, noise, border strips */
    { "separate/corpus-p0012-back.png", FALSE },           /* its blank back with bleed-through */
  };
  PeSeparatorParams params;
  PeSeparator out;
  const PeSymbol *s;

  pe_separator_params_init_default (&params);
  pe_separator_init (&out);
  for (guint i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autofree char *path = pe_test_data_path (pages[i].name);
      g_autoptr(PIX) page = pixRead (path);

      g_assert_nonnull (page);
      if (pixGetXRes (page) == 0)
        pixSetResolution (page, 300, 300);
      detect (page, &params, &out);
      g_assert_cmpint (out.is_separator, ==, pages[i].separator);
      /* zbar reads the mirrored code showing through on the back too; its contrast (about
       * 20 grey levels against 250) tells it is not printed on this side. */
      g_assert_cmpuint (out.symbols->len, ==, 1);
      s = find_symbol (&out, "QR-Code", "PATCHT");
      g_assert_nonnull (s);
      g_assert_cmpint (s->matches, ==, pages[i].separator);
      if (pages[i].separator)
        g_assert_cmpuint (s->contrast, >, 200);
      else
        g_assert_cmpuint (s->contrast, <, params.min_contrast / 2);
    }
  pe_separator_clear (&out);
  pe_separator_params_clear (&params);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/separate/separator/sample-separators", test_sample_separators);
  g_test_add_func ("/separate/separator/sample-letters", test_sample_letters);
  g_test_add_func ("/separate/separator/rotated", test_rotated);
  g_test_add_func ("/separate/separator/other-qr", test_other_qr);
  g_test_add_func ("/separate/separator/small-qr-300dpi", test_small_qr_300dpi);
  g_test_add_func ("/separate/separator/code128", test_code128);
  g_test_add_func ("/separate/separator/patch-t", test_patch_t);
  g_test_add_func ("/separate/separator/depths", test_depths);
  g_test_add_func ("/separate/separator/params", test_params);
  g_test_add_func ("/separate/separator/json", test_json);
  g_test_add_func ("/separate/separator/threads", test_threads);
  g_test_add_func ("/separate/separator/corpus-pages", test_corpus_pages);

  return g_test_run ();
}
