"""Models: ImageBind features, the training-free baseline, the fine-tuned temporal head, prediction
on any video. Needs the `ovavel[models]` extra (torch, ImageBind)."""
