/* new.c: a module placed in no layer. */
