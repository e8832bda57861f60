// The pod sandbox ("pause") binary for the node's sandbox image; standard library only.
module academy.local/images/pause

go 1.26.0
