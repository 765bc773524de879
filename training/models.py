"""Training data: programme guides, quizzes, completions — added by the training issue."""
