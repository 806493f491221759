"""tongchou: plan and coordinate an epidemic response as a whole."""
