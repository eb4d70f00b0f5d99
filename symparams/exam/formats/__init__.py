"""The exam's output formats, one module each: ``latex`` (the ``exam`` class: a student sheet
and an answer key from one source), ``markdown``, ``moodle`` (Moodle XML), ``gift``,
``canvas`` (text2qti's plain text), ``qti`` (a QTI 1.2 zip) and ``json``; ``lms_fields``
holds what the learning systems' formats fill the same way. Each writes a
:class:`~symparams.exam.context.Context`'s versions; :func:`symparams.exam.render.write`
chooses the format.
"""
