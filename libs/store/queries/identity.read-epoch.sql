SELECT epoch FROM identity_epoch WHERE id = 1
