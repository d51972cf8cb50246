"""Reads a .docx back with python-docx (Debian's python3-docx) and prints what Word would
show, as JSON: the page, the default font, and every paragraph of the body and of each
table cell with its text and emphasis. Usage: /usr/bin/python3 read_docx.py FILE"""
import json
import sys

import docx


def paragraph(p):
    runs = [r for r in p.runs if r.text]
    return {
        "text": p.text,
        "style": p.style.name if p.style is not None else "",
        "bold": bool(runs) and all(r.bold or (p.style.font.bold and r.bold is None) for r in runs),
        "italic": bool(runs) and all(r.italic for r in runs),
        "size": runs[0].font.size.pt if runs and runs[0].font.size else None,
        "align": str(p.alignment) if p.alignment is not None else "",
    }


def main():
    d = docx.Document(sys.argv[1])
    s = d.sections[0]
    normal = d.styles["Normal"].font
    out = {
        "page": {"width_mm": round(s.page_width.mm), "height_mm": round(s.page_height.mm),
                 "top_mm": round(s.top_margin.mm), "bottom_mm": round(s.bottom_margin.mm),
                 "left_mm": round(s.left_margin.mm), "right_mm": round(s.right_margin.mm)},
        "font": normal.name, "font_size": normal.size.pt if normal.size else None,
        "title": d.core_properties.title,
        "paragraphs": [paragraph(p) for p in d.paragraphs],
        "tables": [[[[paragraph(p) for p in cell.paragraphs] for cell in row.cells]
                    for row in t.rows] for t in d.tables],
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
