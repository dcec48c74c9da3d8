UPDATE identity_epoch SET epoch = epoch + 1 WHERE id = 1
