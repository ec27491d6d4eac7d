"""OCRmyPDF plugin for bench/cleanup/run: --deskew --rotate-pages --clean without the OCR.

OCRmyPDF 14 has no switch for that: --tesseract-timeout 0 skips the OCR, but its page
orientation (tesseract --psm 0) and its deskew angle (tesseract --psm 2) run under the same
timeout and are skipped as well (every page stays as it is). This engine is Tesseract for both
of those and writes an empty hOCR page instead of reading the text, so that OCRmyPDF's
geometry can be timed on its own. Use with --plugin THIS_FILE --pdf-renderer hocr.
"""
from ocrmypdf import hookimpl
from ocrmypdf._exec import tesseract
from ocrmypdf.builtin_plugins.tesseract_ocr import TesseractOcrEngine


class GeometryOnlyEngine(TesseractOcrEngine):
    @staticmethod
    def generate_hocr(input_file, output_hocr, output_text, options):
        tesseract._generate_null_hocr(output_hocr, output_text, input_file)

    @staticmethod
    def generate_pdf(input_file, output_pdf, output_text, options):
        raise NotImplementedError('use --pdf-renderer hocr')


@hookimpl
def get_ocr_engine():
    return GeometryOnlyEngine()
