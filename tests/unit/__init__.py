"""Unit tests, one folder per package. This file keeps tests/unit off sys.path, where its
folders (ocr/, verify/, samples/) would shadow the real packages of the same names."""
