"""The WER bounds every test holds a transcript to, declared once.

Each bound sits above what tiny.en really scores and far below what broken weights,
a broken conversion or a lost window score (near 1), so a test fails on damage and
not on one word more or less.
"""

# The bundled Gettysburg sample (64 words): tiny.en makes 3 errors (0.047) when the
# speech starts the window; the same speech at another offset in the window (a
# microphone capture) makes 6 to 8, so 8 errors is the bound.
SAMPLE_WER_BOUND = 0.125

# A short espeak-ng clip: synthetic voices cost tiny.en a little more than a person.
CLIP_WER_BOUND = 0.15

# Minutes of espeak-ng reading historic prose, over many 30 s windows: PyTorch scores
# about 0.15; the rest is room for seams and old words tiny.en mishears.
LONG_FORM_WER_BOUND = 0.25

# One backend's transcript against openai-whisper's on the same weights and the same
# greedy decoding: numerics differ a little between frameworks (float32 sums in another
# order), which may flip one word of the sample's 64, never more.
AGREEMENT_WER_BOUND = 0.02
