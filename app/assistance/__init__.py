"""服务企业 (实施意见 三): the service side of the policy — liaison, 帮扶 needs, park visits."""
