"""HTML → PDF with WeasyPrint (Noto CJK fonts from the system), the one place the library is imported.

WeasyPrint sets Pillow's global ImageFile.LOAD_TRUNCATED_IMAGES on import, which would make the upload
check (app/evidence/uploads.py) accept a JPEG cut in half in any process that has rendered a PDF. The
PDFs here embed only images that were verified at upload, so the flag is put back at once.
"""
from PIL import ImageFile


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import; only the PDF endpoints need it

    ImageFile.LOAD_TRUNCATED_IMAGES = False
    return HTML(string=html).write_pdf()


__all__ = ["html_to_pdf"]
