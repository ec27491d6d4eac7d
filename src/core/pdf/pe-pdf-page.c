/* pe-pdf-page.c
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A page is encoded where its pixels are still in memory (the clean worker), and the PDF is
 * assembled later from the encoded streams alone. Between the two the page may have to survive
 * a crash, so it has a stored form: one small container per page, written by
 * pe_pdf_page_serialize() and read by pe_pdf_page_new_from_bytes().
 *
 * Container format, version 1. All integers are little-endian.
 *
 *   offset  size  field
 *        0     8  magic "PEPDFPG\0"
 *        8     4  u32 format version (1)
 *       12     4  u32 length of the whole container in bytes, checksum included
 *       16     4  u32 page width in pixels
 *       20     4  u32 page height in pixels
 *       24     4  u32 horizontal resolution, dpi
 *       28     4  u32 vertical resolution, dpi
 *       32     1  encoding: 0 G4, 1 JPEG, 2 Flate, 3 MRC (PePdfPageEncoding)
 *       33     1  MRC background reduction factor, 1–16 (0 for the other encodings)
 *       34     1  number N of images, 1–5 (1 unless MRC)
 *       35     1  0 (reserved)
 *       36     8  i64 encoding time in µs
 *       44        N image records in drawing order (MRC: background, then the masks):
 *               +0     4  u32 width in pixels
 *               +4     4  u32 height in pixels
 *               +8     1  bits per component: 1 or 8
 *               +9     1  colour space: 0 none (stencil mask), 1 DeviceGray, 2 DeviceRGB
 *              +10     1  filter: 1 CCITTFaxDecode (Group 4), 2 DCTDecode, 3 FlateDecode
 *              +11     1  flags: bit 0 stencil mask (/ImageMask true); others 0
 *              +12     3  R, G, B of the ink a stencil mask is painted in (else 0 0 0)
 *              +15     1  0 (reserved)
 *              +16     4  u32 stream length L
 *              +20     L  the stream, encoded exactly as it goes into the PDF
 *      end-4     4  u32 CRC-32 (zlib's) of all bytes before it
 *
 * The image dictionaries' remaining entries (/DecodeParms) follow from these values and are
 * rebuilt on reading. A reader rejects any other version: a newer one may mean something else
 * by the same bytes, and the page can always be encoded again from its stored image.
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <string.h>
#include <zlib.h>

#include "pe-error.h"
#include "pe-types.h"
#include "pe-pdf-page.h"
#include "pe-pdf-page-private.h"

#define MAGIC          "PEPDFPG\0"
#define MAGIC_LEN      8
#define VERSION        1
#define HEADER_LEN     44
#define RECORD_LEN     20
#define CRC_LEN        4
/* Far beyond any scanner (A3 at 1200 dpi is 14 000 × 20 000), but keeps a damaged size from
 * turning into an absurd page. */
#define MAX_PIXELS     100000
#define MAX_DPI        10000

#define DEFAULT_JPEG_QUALITY 75
#define DEFAULT_MRC_DPI      100
#define DEFAULT_MRC_QUALITY  60

G_DEFINE_FINAL_TYPE (PePdfPage, pe_pdf_page, G_TYPE_OBJECT)

static void
pe_pdf_page_finalize (GObject *object)
{
  PePdfPage *self = (PePdfPage *) object;

  for (guint i = 0; i < PE_PDF_PAGE_MAX_IMAGES; i++)
    _pe_pdf_image_clear (&self->images[i]);

  G_OBJECT_CLASS (pe_pdf_page_parent_class)->finalize (object);
}

static void
pe_pdf_page_class_init (PePdfPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pe_pdf_page_finalize;
}

static void
pe_pdf_page_init (PePdfPage *self)
{
}

/* Encoding ----------------------------------------------------------------------------------- */

static void
resolution (PIX   *pix,
            guint *x_dpi,
            guint *y_dpi)
{
  int x = pixGetXRes (pix);
  int y = pixGetYRes (pix);

  if (x <= 0 && y <= 0)
    x = y = 300;
  else if (x <= 0)
    x = y;
  else if (y <= 0)
    y = x;

  *x_dpi = x;
  *y_dpi = y;
}

/* MRC only pays on grey and colour; a black-and-white page is a mask already. */
static gboolean
is_bitonal (PIX *pix)
{
  g_autoptr(PIX) norm = NULL;

  if (pixGetColormap (pix) == NULL)
    return pixGetDepth (pix) == 1;
  norm = _pe_pdf_image_normalize (pix);
  return norm != NULL && pixGetDepth (norm) == 1;
}

static gboolean
encode_mrc (PePdfPage              *self,
            PIX                    *pix,
            const PePdfPageParams  *params,
            GError                **error)
{
  g_auto(PePdfMrc) mrc = { 0 };
  int dpi = params->mrc_dpi > 0 ? params->mrc_dpi : DEFAULT_MRC_DPI;
  int quality = params->mrc_quality > 0 ? params->mrc_quality : DEFAULT_MRC_QUALITY;

  if (!_pe_pdf_mrc_encode (&mrc, pix, params->mrc_mask,
                           _pe_pdf_mrc_choose_factor (MIN (self->x_dpi, self->y_dpi), dpi),
                           quality, error))
    return FALSE;

  /* The streams move into the page; the emptied PePdfMrc has nothing left to free. */
  self->encoding = PE_PDF_PAGE_MRC;
  self->factor = mrc.factor;
  self->images[0] = mrc.background;
  memset (&mrc.background, 0, sizeof mrc.background);
  self->n_images = 1;
  for (guint i = 0; i < mrc.n_layers; i++)
    {
      self->images[self->n_images] = mrc.layers[i].mask;
      memcpy (self->rgb[self->n_images], mrc.layers[i].rgb, 3);
      memset (&mrc.layers[i].mask, 0, sizeof mrc.layers[i].mask);
      self->n_images++;
    }
  return TRUE;
}

static gboolean
encode_single (PePdfPage           *self,
               PIX                 *pix,
               PePdfImageEncoding   encoding,
               GBytes              *jpeg,
               int                  jpeg_quality,
               GError             **error)
{
  PePdfImage *image = &self->images[0];

  if (!_pe_pdf_image_encode (image, pix, encoding, jpeg, jpeg_quality, error))
    return FALSE;
  self->n_images = 1;
  if (g_str_equal (image->filter, "CCITTFaxDecode"))
    self->encoding = PE_PDF_PAGE_G4;
  else if (g_str_equal (image->filter, "DCTDecode"))
    self->encoding = PE_PDF_PAGE_JPEG;
  else
    self->encoding = PE_PDF_PAGE_FLATE;
  return TRUE;
}

PePdfPage *
pe_pdf_page_new (PIX                    *pix,
                 PePdfImageEncoding      encoding,
                 GBytes                 *jpeg,
                 const PePdfPageParams  *params,
                 GCancellable           *cancellable,
                 GError                **error)
{
  static const PePdfPageParams defaults = { 0 };
  g_autoptr(PePdfPage) self = NULL;
  gint64 start = g_get_monotonic_time ();
  gboolean ok;

  if (params == NULL)
    params = &defaults;

  g_return_val_if_fail (pix != NULL, NULL);
  g_return_val_if_fail (encoding >= PE_PDF_IMAGE_AUTO && encoding <= PE_PDF_IMAGE_MRC, NULL);
  g_return_val_if_fail (params->jpeg_quality >= 0 && params->jpeg_quality <= 100, NULL);
  g_return_val_if_fail (params->mrc_quality >= 0 && params->mrc_quality <= 100, NULL);
  g_return_val_if_fail (params->mrc_dpi == 0 ||
                        (params->mrc_dpi >= 50 && params->mrc_dpi <= 300), NULL);
  g_return_val_if_fail (params->mrc_mask == NULL || pixGetDepth (params->mrc_mask) == 1, NULL);
  g_return_val_if_fail (params->mrc_mask == NULL ||
                        (pixGetWidth (params->mrc_mask) == pixGetWidth (pix) &&
                         pixGetHeight (params->mrc_mask) == pixGetHeight (pix)), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  self = g_object_new (PE_TYPE_PDF_PAGE, NULL);
  self->width = pixGetWidth (pix);
  self->height = pixGetHeight (pix);
  resolution (pix, &self->x_dpi, &self->y_dpi);

  if (encoding == PE_PDF_IMAGE_MRC && !is_bitonal (pix))
    ok = encode_mrc (self, pix, params, error);
  else
    ok = encode_single (self, pix, encoding == PE_PDF_IMAGE_MRC ? PE_PDF_IMAGE_AUTO : encoding,
                        encoding == PE_PDF_IMAGE_MRC ? NULL : jpeg,
                        params->jpeg_quality > 0 ? params->jpeg_quality : DEFAULT_JPEG_QUALITY,
                        error);
  if (!ok)
    return NULL;

  /* A passed-through JPEG cost nothing worth counting. */
  self->encode_usec = self->encoding == PE_PDF_PAGE_JPEG && self->images[0].encode_usec == 0
                      ? 0 : g_get_monotonic_time () - start;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  return g_steal_pointer (&self);
}

/* Getters ------------------------------------------------------------------------------------ */

guint
pe_pdf_page_get_width (PePdfPage *self)
{
  g_return_val_if_fail (PE_IS_PDF_PAGE (self), 0);

  return self->width;
}

guint
pe_pdf_page_get_height (PePdfPage *self)
{
  g_return_val_if_fail (PE_IS_PDF_PAGE (self), 0);

  return self->height;
}

void
pe_pdf_page_get_dpi (PePdfPage *self,
                     guint     *x_dpi,
                     guint     *y_dpi)
{
  g_return_if_fail (PE_IS_PDF_PAGE (self));

  if (x_dpi != NULL)
    *x_dpi = self->x_dpi;
  if (y_dpi != NULL)
    *y_dpi = self->y_dpi;
}

void
pe_pdf_page_get_size_pt (PePdfPage *self,
                         double    *width,
                         double    *height)
{
  g_return_if_fail (PE_IS_PDF_PAGE (self));

  if (width != NULL)
    *width = self->width * 72.0 / self->x_dpi;
  if (height != NULL)
    *height = self->height * 72.0 / self->y_dpi;
}

PePdfPageEncoding
pe_pdf_page_get_encoding (PePdfPage *self)
{
  g_return_val_if_fail (PE_IS_PDF_PAGE (self), PE_PDF_PAGE_G4);

  return self->encoding;
}

guint
pe_pdf_page_get_n_images (PePdfPage *self)
{
  g_return_val_if_fail (PE_IS_PDF_PAGE (self), 0);

  return self->n_images;
}

gsize
pe_pdf_page_get_encoded_size (PePdfPage *self)
{
  gsize size = 0;

  g_return_val_if_fail (PE_IS_PDF_PAGE (self), 0);

  for (guint i = 0; i < self->n_images; i++)
    size += g_bytes_get_size (self->images[i].data);
  return size;
}

gint64
pe_pdf_page_get_encode_usec (PePdfPage *self)
{
  g_return_val_if_fail (PE_IS_PDF_PAGE (self), 0);

  return self->encode_usec;
}

const char *
pe_pdf_page_encoding_to_string (PePdfPageEncoding encoding)
{
  switch (encoding)
    {
    case PE_PDF_PAGE_G4: return "g4";
    case PE_PDF_PAGE_JPEG: return "jpeg";
    case PE_PDF_PAGE_FLATE: return "flate";
    case PE_PDF_PAGE_MRC: return "mrc";
    default: return NULL;
    }
}

/* Container ---------------------------------------------------------------------------------- */

/* Index = the stored code; [0] of the colour spaces is "none" (a stencil mask). */
static const char *const color_spaces[] = { NULL, "DeviceGray", "DeviceRGB" };
static const char *const filters[] = { NULL, "CCITTFaxDecode", "DCTDecode", "FlateDecode" };

static guint
code_of (const char        *name,
         const char *const *names,
         guint              n_names)
{
  for (guint i = 1; i < n_names; i++)
    if (g_strcmp0 (name, names[i]) == 0)
      return i;
  return 0;
}

static void
put_u32 (GByteArray *out,
         guint32     value)
{
  guint32 le = GUINT32_TO_LE (value);

  g_byte_array_append (out, (const guint8 *) &le, 4);
}

static void
put_u8 (GByteArray *out,
        guint8      value)
{
  g_byte_array_append (out, &value, 1);
}

GBytes *
pe_pdf_page_serialize (PePdfPage *self)
{
  g_autoptr(GByteArray) out = NULL;
  gsize total = HEADER_LEN + CRC_LEN;
  guint64 usec;
  guint32 crc;

  g_return_val_if_fail (PE_IS_PDF_PAGE (self), NULL);

  for (guint i = 0; i < self->n_images; i++)
    total += RECORD_LEN + g_bytes_get_size (self->images[i].data);
  g_return_val_if_fail (total <= G_MAXUINT32, NULL);

  out = g_byte_array_sized_new (total);
  g_byte_array_append (out, (const guint8 *) MAGIC, MAGIC_LEN);
  put_u32 (out, VERSION);
  put_u32 (out, total);
  put_u32 (out, self->width);
  put_u32 (out, self->height);
  put_u32 (out, self->x_dpi);
  put_u32 (out, self->y_dpi);
  put_u8 (out, self->encoding);
  put_u8 (out, self->factor);
  put_u8 (out, self->n_images);
  put_u8 (out, 0);
  usec = GUINT64_TO_LE ((guint64) MAX (self->encode_usec, 0));
  g_byte_array_append (out, (const guint8 *) &usec, 8);

  for (guint i = 0; i < self->n_images; i++)
    {
      const PePdfImage *image = &self->images[i];
      gsize len;
      const guint8 *data = g_bytes_get_data (image->data, &len);

      put_u32 (out, image->width);
      put_u32 (out, image->height);
      put_u8 (out, image->bits_per_component);
      put_u8 (out, code_of (image->color_space, color_spaces, G_N_ELEMENTS (color_spaces)));
      put_u8 (out, code_of (image->filter, filters, G_N_ELEMENTS (filters)));
      put_u8 (out, image->image_mask ? 1 : 0);
      g_byte_array_append (out, self->rgb[i], 3);
      put_u8 (out, 0);
      put_u32 (out, len);
      g_byte_array_append (out, data, len);
    }

  crc = crc32 (0, out->data, out->len);
  put_u32 (out, crc);
  g_assert (out->len == total);

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

typedef struct
{
  const guint8 *data;
  gsize         len;
  gsize         pos;
} Reader;

static gboolean
get_u8 (Reader *r,
        guint  *value)
{
  if (r->len - r->pos < 1)
    return FALSE;
  *value = r->data[r->pos++];
  return TRUE;
}

static gboolean
get_u32 (Reader *r,
         guint  *value)
{
  guint32 le;

  if (r->len - r->pos < 4)
    return FALSE;
  memcpy (&le, r->data + r->pos, 4);
  r->pos += 4;
  *value = GUINT32_FROM_LE (le);
  return TRUE;
}

static gboolean
corrupt (GError     **error,
         const char  *reason)
{
  g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
               _("A prepared page image in the batch store is damaged (%s). Process the batch "
                 "again: the page is then encoded anew from its stored scan."), reason);
  return FALSE;
}

/* One image record; checks that it is a stream this writer could have made for this page. */
static gboolean
read_image (Reader     *r,
            GBytes     *bytes,
            PePdfPage  *self,
            guint       index,
            GError    **error)
{
  PePdfImage *image = &self->images[index];
  guint bpc, cs, filter, flags, reserved, len, rgb[3];
  gboolean is_mask_slot = self->encoding == PE_PDF_PAGE_MRC && index > 0;
  guint want_w = self->width, want_h = self->height;

  if (!get_u32 (r, &image->width) || !get_u32 (r, &image->height) ||
      !get_u8 (r, &bpc) || !get_u8 (r, &cs) || !get_u8 (r, &filter) || !get_u8 (r, &flags) ||
      !get_u8 (r, &rgb[0]) || !get_u8 (r, &rgb[1]) || !get_u8 (r, &rgb[2]) ||
      !get_u8 (r, &reserved) || !get_u32 (r, &len))
    return corrupt (error, _("it ends too early"));
  if (len > r->len - r->pos)
    return corrupt (error, _("it ends too early"));

  if (self->encoding == PE_PDF_PAGE_MRC && index == 0)
    {
      want_w = (self->width + self->factor - 1) / self->factor;
      want_h = (self->height + self->factor - 1) / self->factor;
    }
  if (image->width != want_w || image->height != want_h ||
      cs >= G_N_ELEMENTS (color_spaces) || filter == 0 || filter >= G_N_ELEMENTS (filters) ||
      (flags & ~1u) != 0 || reserved != 0 || len == 0)
    return corrupt (error, _("an image does not fit its page"));

  image->bits_per_component = bpc;
  image->color_space = color_spaces[cs];
  image->filter = filters[filter];
  image->image_mask = flags & 1;

  /* exactly the combinations the encoders produce */
  {
    gboolean g4 = filter == 1, dct = filter == 2;
    gboolean ok;

    if (is_mask_slot)
      ok = image->image_mask && cs == 0 && bpc == 1 && g4;
    else if (self->encoding == PE_PDF_PAGE_MRC)
      ok = !image->image_mask && cs != 0 && bpc == 8 && dct;
    else if (self->encoding == PE_PDF_PAGE_G4)
      ok = !image->image_mask && cs == 1 && bpc == 1 && g4;
    else if (self->encoding == PE_PDF_PAGE_JPEG)
      ok = !image->image_mask && cs != 0 && bpc == 8 && dct;
    else
      ok = !image->image_mask && filter == 3 && ((cs == 1 && bpc == 1) || (cs != 0 && bpc == 8));
    if (!ok || (!is_mask_slot && (rgb[0] | rgb[1] | rgb[2]) != 0))
      return corrupt (error, _("an image has an unknown form"));
  }

  for (guint c = 0; c < 3; c++)
    self->rgb[index][c] = rgb[c];
  image->data = g_bytes_new_from_bytes (bytes, r->pos, len);
  r->pos += len;
  _pe_pdf_image_set_decode_parms (image);
  return TRUE;
}

PePdfPage *
pe_pdf_page_new_from_bytes (GBytes  *bytes,
                            GError **error)
{
  g_autoptr(PePdfPage) self = NULL;
  Reader r = { 0 };
  guint version = 0, total = 0, encoding = 0, factor = 0, n_images = 0, reserved = 0;
  guint32 crc, stored_crc;
  guint64 usec;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  r.data = g_bytes_get_data (bytes, &r.len);
  if (r.len < MAGIC_LEN || memcmp (r.data, MAGIC, MAGIC_LEN) != 0)
    {
      corrupt (error, _("it is not a prepared page"));
      return NULL;
    }
  r.pos = MAGIC_LEN;
  if (!get_u32 (&r, &version))
    {
      corrupt (error, _("it ends too early"));
      return NULL;
    }
  if (version != VERSION)
    {
      g_set_error (error, PE_ERROR, PE_ERROR_CORRUPT,
                   _("A prepared page image in the batch store has format version %u, but this "
                     "version of Posteingang reads only version %u. Process the batch again: "
                     "the page is then encoded anew from its stored scan."), version, VERSION);
      return NULL;
    }
  if (!get_u32 (&r, &total) || total != r.len || r.len < HEADER_LEN + CRC_LEN)
    {
      corrupt (error, r.len < total ? _("it ends too early") : _("its length is wrong"));
      return NULL;
    }
  memcpy (&stored_crc, r.data + r.len - CRC_LEN, 4);
  crc = crc32 (0, r.data, r.len - CRC_LEN);
  if (crc != GUINT32_FROM_LE (stored_crc))
    {
      corrupt (error, _("its checksum does not match"));
      return NULL;
    }
  /* The checksum covers everything; the checks below only guard against a container that is
   * whole but could not have come from pe_pdf_page_serialize(). */
  r.len -= CRC_LEN;

  self = g_object_new (PE_TYPE_PDF_PAGE, NULL);
  get_u32 (&r, &self->width);
  get_u32 (&r, &self->height);
  get_u32 (&r, &self->x_dpi);
  get_u32 (&r, &self->y_dpi);
  get_u8 (&r, &encoding);
  get_u8 (&r, &factor);
  get_u8 (&r, &n_images);
  get_u8 (&r, &reserved);
  memcpy (&usec, r.data + r.pos, 8);
  r.pos += 8;
  g_assert (r.pos == HEADER_LEN);

  if (self->width == 0 || self->width > MAX_PIXELS || self->height == 0 ||
      self->height > MAX_PIXELS || self->x_dpi == 0 || self->x_dpi > MAX_DPI ||
      self->y_dpi == 0 || self->y_dpi > MAX_DPI || encoding > PE_PDF_PAGE_MRC ||
      reserved != 0 || n_images == 0 || n_images > PE_PDF_PAGE_MAX_IMAGES ||
      (encoding == PE_PDF_PAGE_MRC ? factor < 1 || factor > 16 : factor != 0 || n_images != 1))
    {
      corrupt (error, _("its page description is invalid"));
      return NULL;
    }
  self->encoding = encoding;
  self->factor = factor;
  self->encode_usec = MIN (GUINT64_FROM_LE (usec), (guint64) G_MAXINT64);

  for (guint i = 0; i < n_images; i++)
    {
      if (!read_image (&r, bytes, self, i, error))
        return NULL;
      self->n_images++;
    }
  if (r.pos != r.len)
    {
      corrupt (error, _("its length is wrong"));
      return NULL;
    }

  return g_steal_pointer (&self);
}
